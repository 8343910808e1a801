import type pg from 'pg';

/**
 * Appends `count` MessageSent events of other users straight into the PostgreSQL event store, in
 * bulk (one INSERT … SELECT per chunk, under the log-head lock as appends take it, then the append
 * notification): a backlog of millions in seconds, for resume tests and benchmarks. The messages
 * go to `conversations` direct conversations between made-up users; returns the new head.
 */
export async function appendForeignBacklog(
  pool: pg.Pool,
  count: number,
  options: { conversations?: number; chunk?: number } = {},
): Promise<bigint> {
  const conversations = options.conversations ?? 1000;
  const chunk = options.chunk ?? 100_000;
  const client = await pool.connect();
  try {
    let head = 0n;
    for (let done = 0; done < count; done += chunk) {
      const size = Math.min(chunk, count - done);
      await client.query('BEGIN');
      const locked = await client.query<{ position: string }>(
        'SELECT position FROM event_store.log_head FOR UPDATE',
      );
      head = BigInt(locked.rows[0]!.position);
      // Conversation k of chunk c: its messages are consecutive revisions of one stream.
      await client.query(
        `WITH g AS (
           SELECT n, (n - 1) % $3 AS k, (n - 1) / $3 AS r FROM generate_series(1, $2::int) AS n
         ), c AS (
           SELECT k, gen_random_uuid() AS conversation_id, gen_random_uuid() AS a, gen_random_uuid() AS b
             FROM generate_series(0, $3 - 1) AS k
         )
         INSERT INTO event_store.events (position, stream_name, revision, event_id, type, data, metadata)
         SELECT $1::bigint + g.n, 'conversation-' || c.conversation_id, g.r, gen_random_uuid(), 'MessageSent',
                jsonb_build_object(
                  'conversationId', c.conversation_id, 'messageId', gen_random_uuid(), 'seq', g.r + 1,
                  'senderId', c.a, 'body', 'foreign ' || g.n, 'recipientIds', jsonb_build_array(c.a, c.b),
                  'sentAt', now()),
                '{}'::jsonb
           FROM g JOIN c USING (k)`,
        [head.toString(), size, Math.min(conversations, size)],
      );
      head += BigInt(size);
      await client.query('UPDATE event_store.log_head SET position = $1', [head.toString()]);
      await client.query("SELECT pg_notify('event_store_appended', $1)", [head.toString()]);
      await client.query('COMMIT');
    }
    return head;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
