import type { Migration } from '../../platform/migrate.js';

/*
 * The history read model's table: every message of every conversation. Its SQL is applied once by
 * id and never compared again, so its text, spacing included, stays as it is; a change is a new
 * migration.
 */

/** In the migration `001-read-models` (../migrations.ts). */
export const messagesTable = `
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
      CREATE INDEX messages_by_conversation ON messages (conversation_id, position DESC);`;

/** A user's own messages: their export, and blanking them all when they are erased. */
export const messagesBySenderMigration: Migration = {
  id: '006-messages-by-sender',
  sql: 'CREATE INDEX messages_by_sender ON messages (sender_id, position)',
};
