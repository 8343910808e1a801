import type pg from 'pg';

/** A user as the user sees their own account. */
export interface AccountRow {
  readonly userId: string;
  readonly username: string;
  readonly email: string;
  readonly displayName: string;
  readonly emailVerified: boolean;
}

/** A user as others find them. */
export interface UserSummaryRow {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
}

/** The user's own account; undefined until the registration is projected. */
export async function accountOf(pool: pg.Pool, userId: string): Promise<AccountRow | undefined> {
  const { rows } = await pool.query<AccountRow>(
    `SELECT user_id AS "userId", username, email, display_name AS "displayName",
       email_verified AS "emailVerified" FROM users WHERE user_id = $1`,
    [userId],
  );
  return rows[0];
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/** Users whose username starts with `prefix` (matched literally), by username, leaving one out. */
export async function usersByPrefix(
  pool: pg.Pool,
  query: { readonly prefix: string; readonly excluding: string; readonly limit: number },
): Promise<UserSummaryRow[]> {
  const { rows } = await pool.query<UserSummaryRow>(
    `SELECT user_id AS "userId", username, display_name AS "displayName" FROM users
     WHERE username LIKE $1 AND user_id <> $2 ORDER BY username LIMIT $3`,
    [`${escapeLike(query.prefix)}%`, query.excluding, query.limit],
  );
  return rows;
}

/** Everything the users table holds about the user, for their export; undefined if nothing yet. */
export async function userExport(
  pool: pg.Pool,
  userId: string,
): Promise<Record<string, unknown> | undefined> {
  const { rows } = await pool.query<Record<string, unknown>>(
    `SELECT user_id AS "userId", username, email, display_name AS "displayName",
            email_verified AS "emailVerified", registered_at AS "registeredAt"
       FROM users WHERE user_id = $1`,
    [userId],
  );
  return rows[0];
}
