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

/**
 * For the user's export, a page of their contacts by contact id:
 * $1 the user, $2 the key to start after, $3 the page size.
 */
export const EXPORT_CONTACTS = `SELECT contact_id AS "userId", added_at AS "addedAt" FROM contacts
  WHERE owner_id = $1 AND contact_id > $2 ORDER BY contact_id LIMIT $3`;

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
