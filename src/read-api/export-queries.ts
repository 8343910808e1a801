import { Type } from '@sinclair/typebox';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { refuse } from '../domain/errors.js';
import { caller } from '../http/authenticate.js';
import { MinPositionHeaders, QUERY, problems } from '../http-docs/openapi.js';
import type { HttpApp } from '../http/http-app.js';

/** Rows read per query: an export of any size holds at most this many in memory. */
const PAGE = 1000;

const USER = `SELECT user_id AS "userId", username, email, display_name AS "displayName",
                     email_verified AS "emailVerified", registered_at AS "registeredAt"
                FROM users WHERE user_id = $1`;
const CONTACTS = `SELECT contact_id AS "userId", added_at AS "addedAt" FROM contacts
                   WHERE owner_id = $1 AND contact_id > $2 ORDER BY contact_id LIMIT ${PAGE}`;
const BLOCKS = `SELECT blocked_id AS "userId", blocked_at AS "blockedAt" FROM blocks
                 WHERE blocker_id = $1 AND blocked_id > $2 ORDER BY blocked_id LIMIT ${PAGE}`;
const CONVERSATIONS = `SELECT c.conversation_id AS "conversationId", c.kind, c.title, m.joined_at AS "joinedAt",
                              m.last_read_seq AS "lastReadSeq", m.unread_count AS "unreadCount",
                              ARRAY(SELECT o.user_id FROM conversation_members o
                                     WHERE o.conversation_id = c.conversation_id ORDER BY o.user_id) AS "memberIds"
                         FROM conversation_members m JOIN conversations c USING (conversation_id)
                        WHERE m.user_id = $1 AND m.conversation_id > $2
                        ORDER BY m.conversation_id LIMIT ${PAGE}`;
const MESSAGES = `SELECT message_id AS "messageId", conversation_id AS "conversationId", body, sent_at AS "sentAt",
                         edited_at AS "editedAt", deleted, m.position::text AS position
                    FROM messages m WHERE sender_id = $1 AND m.position > $2
                   ORDER BY m.position LIMIT ${PAGE}`;

/**
 * Pages through one query by its key (keyset pagination, each page its own short query), so an
 * export costs what the caller has, never the size of the tables, and holds no connection long.
 */
async function* pages(
  pool: pg.Pool,
  sql: string,
  userId: string,
  first: string,
  keyOf: (row: Record<string, unknown>) => string,
): AsyncGenerator<string> {
  let after = first;
  let separator = '';
  for (;;) {
    const { rows } = await pool.query<Record<string, unknown>>(sql, [userId, after]);
    for (const row of rows) {
      yield separator + JSON.stringify(row);
      separator = ',';
    }
    if (rows.length < PAGE) return;
    after = keyOf(rows.at(-1)!);
  }
}

async function* exportOf(pool: pg.Pool, user: Record<string, unknown>): AsyncGenerator<string> {
  const userId = String(user.userId);
  const minUuid = '00000000-0000-0000-0000-000000000000';
  yield `{"user":${JSON.stringify(user)},"contacts":[`;
  yield* pages(pool, CONTACTS, userId, minUuid, (row) => String(row.userId));
  yield '],"blocks":[';
  yield* pages(pool, BLOCKS, userId, minUuid, (row) => String(row.userId));
  yield '],"conversations":[';
  yield* pages(pool, CONVERSATIONS, userId, minUuid, (row) => String(row.conversationId));
  yield '],"messages":[';
  yield* pages(pool, MESSAGES, userId, '0', (row) => String(row.position));
  yield ']}';
}

/** GET /v1/me/export: everything the read models hold about the caller, streamed as one JSON document. */
export function exportQueries(deps: { pool: pg.Pool }) {
  return async (app: HttpApp) => {
    app.get(
      '/v1/me/export',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Export everything held about the caller',
          operationId: 'exportMe',
          security: [{ bearer: [] }],
          headers: MinPositionHeaders,
          response: {
            200: Type.Unsafe({ type: 'object', description: 'The export, streamed' }),
            ...problems(...QUERY, { 404: 'No such user yet; retry with X-Min-Position' }),
          },
          description:
            'Everything the service holds about the caller as one JSON document `{ user, contacts, blocks, ' +
            'conversations, messages }` (messages: those the caller sent), streamed with no size ceiling.',
        },
      },
      async (request, reply) => {
        const { rows } = await deps.pool.query<Record<string, unknown>>(USER, [caller(request).userId]);
        if (!rows[0]) {
          throw refuse(
            'user_not_found',
            'no such user yet; retry with X-Min-Position for a fresh registration',
          );
        }
        return reply
          .header('content-type', 'application/json; charset=utf-8')
          .header('content-disposition', 'attachment; filename="export.json"')
          .header('cache-control', 'no-store')
          .send(Readable.from(exportOf(deps.pool, rows[0])));
      },
    );
  };
}
