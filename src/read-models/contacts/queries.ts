import type pg from 'pg';

export interface ContactRow {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly addedAt: Date;
}

/** The owner's contacts with their names, by username. */
export async function contactsOf(pool: pg.Pool, ownerId: string): Promise<ContactRow[]> {
  const { rows } = await pool.query<ContactRow>(
    `SELECT c.contact_id AS "userId", u.username, u.display_name AS "displayName", c.added_at AS "addedAt"
     FROM contacts c JOIN users u ON u.user_id = c.contact_id
     WHERE c.owner_id = $1 ORDER BY u.username`,
    [ownerId],
  );
  return rows;
}

/** A page of the owner's contacts after the contact id `after`, by contact id (their export). */
export async function contactsPage(
  pool: pg.Pool,
  ownerId: string,
  after: string,
  limit: number,
): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.query<Record<string, unknown>>(
    `SELECT contact_id AS "userId", added_at AS "addedAt" FROM contacts
      WHERE owner_id = $1 AND contact_id > $2 ORDER BY contact_id LIMIT $3`,
    [ownerId, after, limit],
  );
  return rows;
}

/**
 * A statement's subquery: who sees the presence of the user `$1` (a uuid). The contact relation
 * in both directions, less anyone on either side of a block (read model blocks).
 */
export const PRESENCE_AUDIENCE = `
  SELECT contact_id AS user_id FROM contacts WHERE owner_id = $1::uuid
  UNION
  SELECT owner_id FROM contacts WHERE contact_id = $1::uuid
  EXCEPT
  SELECT blocked_id FROM blocks WHERE blocker_id = $1::uuid
  EXCEPT
  SELECT blocker_id FROM blocks WHERE blocked_id = $1::uuid`;
