import { Type } from '@sinclair/typebox';
import type pg from 'pg';
import { MinPositionHeaders, QUERY, problems } from '../http-docs/openapi.js';
import { caller } from '../http/authenticate.js';
import type { HttpApp } from '../http/http-app.js';
import { contactsOf } from '../read-models/contacts/queries.js';

export const Contact = Type.Object({
  userId: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  addedAt: Type.String(),
});

export function contactQueries(deps: { pool: pg.Pool }) {
  return async (app: HttpApp) => {
    app.get(
      '/v1/contacts',
      {
        schema: {
          tags: ['contacts'],
          summary: 'Your contacts',
          operationId: 'listContacts',
          security: [{ bearer: [] }],
          headers: MinPositionHeaders,
          response: {
            200: Type.Object({ items: Type.Array(Contact) }, { description: 'Your contacts, by username' }),
            ...problems(...QUERY),
          },
        },
      },
      async (request) => {
        const rows = await contactsOf(deps.pool, caller(request).userId);
        return { items: rows.map((row) => ({ ...row, addedAt: row.addedAt.toISOString() })) };
      },
    );
  };
}
