import type pg from 'pg';

/** A page of the users the blocker blocks after the user id `after`, by user id (their export). */
export async function blocksPage(
  pool: pg.Pool,
  blockerId: string,
  after: string,
  limit: number,
): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.query<Record<string, unknown>>(
    `SELECT blocked_id AS "userId", blocked_at AS "blockedAt" FROM blocks
      WHERE blocker_id = $1 AND blocked_id > $2 ORDER BY blocked_id LIMIT $3`,
    [blockerId, after, limit],
  );
  return rows;
}
