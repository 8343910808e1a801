/*
 * The checkpoints: each projection's position in the log, moved in the same transaction as its
 * tables. This module holds every statement on the table.
 */

/**
 * In the migration `001-read-models` (migrations.ts): applied once by id and never compared again,
 * so its text, spacing included, stays as it is.
 */
export const checkpointsTable = `
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        position bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      );`;
