import { Type } from '@sinclair/typebox';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { refuse } from '../domain/errors.js';
import { caller } from '../http/authenticate.js';
import { MinPositionHeaders, QUERY, problems } from '../http-docs/openapi.js';
import type { HttpApp } from '../http/http-app.js';
import { blocksPage } from '../read-models/blocks/queries.js';
import { contactsPage } from '../read-models/contacts/queries.js';
import { conversationsPage } from '../read-models/conversations/queries.js';
import { sentMessagesPage } from '../read-models/history/queries.js';
import { userExport } from '../read-models/users/queries.js';

/** Rows read per query: an export of any size holds at most this many in memory. */
const PAGE = 1000;

/** One read model's page of the user's rows after the key `after`, in key order. */
type PageQuery = (
  pool: pg.Pool,
  userId: string,
  after: string,
  limit: number,
) => Promise<Record<string, unknown>[]>;

/**
 * Pages through one query by its key (keyset pagination, each page its own short query), so an
 * export costs what the caller has, never the size of the tables, and holds no connection long.
 */
async function* pages(
  pool: pg.Pool,
  query: PageQuery,
  userId: string,
  first: string,
  keyOf: (row: Record<string, unknown>) => string,
): AsyncGenerator<string> {
  let after = first;
  let separator = '';
  for (;;) {
    const rows = await query(pool, userId, after, PAGE);
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
  yield* pages(pool, contactsPage, userId, minUuid, (row) => String(row.userId));
  yield '],"blocks":[';
  yield* pages(pool, blocksPage, userId, minUuid, (row) => String(row.userId));
  yield '],"conversations":[';
  yield* pages(pool, conversationsPage, userId, minUuid, (row) => String(row.conversationId));
  yield '],"messages":[';
  yield* pages(pool, sentMessagesPage, userId, '0', (row) => String(row.position));
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
        const user = await userExport(deps.pool, caller(request).userId);
        if (!user) {
          throw refuse(
            'user_not_found',
            'no such user yet; retry with X-Min-Position for a fresh registration',
          );
        }
        return reply
          .header('content-type', 'application/json; charset=utf-8')
          .header('content-disposition', 'attachment; filename="export.json"')
          .header('cache-control', 'no-store')
          .send(Readable.from(exportOf(deps.pool, user)));
      },
    );
  };
}
