import type { Migration } from '../../platform/migrate.js';

/*
 * The blocks read model's table. Its SQL is applied once by id and never compared again, so its
 * text, spacing included, stays as it is; a change is a new migration.
 */

export const blocksMigration: Migration = {
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
};
