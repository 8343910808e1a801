/**
 * For the user's export, a page of the users they block, by user id:
 * $1 the user, $2 the key to start after, $3 the page size.
 */
export const EXPORT_BLOCKS = `SELECT blocked_id AS "userId", blocked_at AS "blockedAt" FROM blocks
  WHERE blocker_id = $1 AND blocked_id > $2 ORDER BY blocked_id LIMIT $3`;
