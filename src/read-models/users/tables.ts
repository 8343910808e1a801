/*
 * The users read model's table. Its SQL is a piece of the migration `001-read-models`
 * (../migrations.ts): applied once by id and never compared again, so its text, spacing included,
 * stays as it is; a change is a new migration.
 */

/** In `001-read-models`: registered users, searched by username prefix. */
export const usersTable = `
      CREATE TABLE users (
        user_id uuid PRIMARY KEY,
        username text NOT NULL UNIQUE,
        email text NOT NULL,
        display_name text NOT NULL,
        email_verified boolean NOT NULL DEFAULT false,
        registered_at timestamptz NOT NULL
      );
      CREATE INDEX users_username_prefix ON users (username text_pattern_ops);`;
