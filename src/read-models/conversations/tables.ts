import type { Migration } from '../../platform/migrate.js';

/*
 * The conversations read model's tables: conversations with their last message, and their members
 * with unread counts and read markers. Their SQL is applied once by id and never compared again,
 * so its text, spacing included, stays as it is; a change is a new migration.
 */

/** In the migration `001-read-models` (../migrations.ts). */
export const conversationsTables = `
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
      CREATE INDEX conversations_by_activity ON conversations (activity_position DESC);`;

/** Read receipts: each member's newest marker, and the newest one the others may see. */
export const readReceiptsMigration: Migration = {
  id: '004-read-receipts',
  sql: `
      ALTER TABLE conversation_members
        ADD COLUMN last_read_message_id uuid,
        ADD COLUMN shared_read_message_id uuid;
    `,
};
