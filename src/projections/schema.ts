import type pg from 'pg';
import { migrate, type Migration } from '../platform/migrate.js';

/** The read models' tables; a rebuild also runs them, in a schema of its own, to make its shadow tables. */
export const readModelMigrations: readonly Migration[] = [
  {
    id: '001-read-models',
    sql: `
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        position bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE users (
        user_id uuid PRIMARY KEY,
        username text NOT NULL UNIQUE,
        email text NOT NULL,
        display_name text NOT NULL,
        email_verified boolean NOT NULL DEFAULT false,
        registered_at timestamptz NOT NULL
      );
      CREATE INDEX users_username_prefix ON users (username text_pattern_ops);
      CREATE TABLE contacts (
        owner_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        added_at timestamptz NOT NULL,
        PRIMARY KEY (owner_id, contact_id)
      );
      CREATE TABLE conversations (
        conversation_id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('direct', 'group')),
        title text,
        created_by uuid,
        created_at timestamptz NOT NULL,
        activity_position bigint NOT NULL,
        last_message_id uuid,
        last_message_sender_id uuid,
        last_message_body text,
        last_message_sent_at timestamptz,
        last_message_position bigint,
        last_message_deleted boolean NOT NULL DEFAULT false
      );
      CREATE TABLE conversation_members (
        conversation_id uuid NOT NULL REFERENCES conversations ON DELETE CASCADE,
        user_id uuid NOT NULL,
        joined_at timestamptz NOT NULL,
        last_read_seq integer NOT NULL DEFAULT 0,
        unread_count integer NOT NULL DEFAULT 0,
        PRIMARY KEY (conversation_id, user_id)
      );
      CREATE INDEX conversation_members_by_user ON conversation_members (user_id);
      CREATE INDEX conversations_by_activity ON conversations (activity_position DESC);
      CREATE TABLE messages (
        message_id uuid PRIMARY KEY,
        conversation_id uuid NOT NULL,
        seq integer NOT NULL,
        sender_id uuid NOT NULL,
        body text,
        sent_at timestamptz NOT NULL,
        edited_at timestamptz,
        deleted boolean NOT NULL DEFAULT false,
        position bigint NOT NULL
      );
      CREATE INDEX messages_by_conversation ON messages (conversation_id, position DESC);
    `,
  },
  {
    // Not a read model: fixed-window counters shared by every API process (login and mail limits).
    id: '002-accounts',
    sql: `
      CREATE TABLE rate_limit_counters (
        key text PRIMARY KEY,
        hits integer NOT NULL,
        window_ends_at timestamptz NOT NULL
      );
      CREATE INDEX rate_limit_counters_by_window_end ON rate_limit_counters (window_ends_at);
    `,
  },
  {
    id: '003-blocks',
    sql: `
      CREATE TABLE blocks (
        blocker_id uuid NOT NULL,
        blocked_id uuid NOT NULL,
        blocked_at timestamptz NOT NULL,
        PRIMARY KEY (blocker_id, blocked_id)
      );
      CREATE INDEX blocks_by_blocked ON blocks (blocked_id);
    `,
  },
  {
    // Read receipts: each member's newest marker, and the newest one the others may see.
    id: '004-read-receipts',
    sql: `
      ALTER TABLE conversation_members
        ADD COLUMN last_read_message_id uuid,
        ADD COLUMN shared_read_message_id uuid;
    `,
  },
  {
    // The resume index (realtime/delivery/resume-index.ts): per user, where their events are in the log.
    id: '005-resume-index',
    sql: `
      CREATE TABLE user_event_positions (
        user_id uuid NOT NULL,
        position bigint NOT NULL,
        stream_name text NOT NULL,
        revision bigint NOT NULL,
        PRIMARY KEY (user_id, position)
      );
    `,
  },
  {
    // A user's own messages: their export, and blanking them all when they are erased.
    id: '006-messages-by-sender',
    sql: 'CREATE INDEX messages_by_sender ON messages (sender_id, position)',
  },
];

export const migrateReadModels = (pool: pg.Pool) => migrate(pool, 'read-models', readModelMigrations);
