import type { Migration } from '../../platform/migrate.js';

/*
 * The resume index's table: per user, where their events are in the log. Its SQL is applied once
 * by id and never compared again, so its text, spacing included, stays as it is; a change is a
 * new migration.
 */

export const USER_EVENT_POSITIONS = 'user_event_positions';

export const resumeIndexMigration: Migration = {
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
};
