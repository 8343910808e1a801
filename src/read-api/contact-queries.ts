import { Type } from '@sinclair/typebox';
import type pg from 'pg';
import { caller } from '../http/authenticate.js';
import type { HttpApp } from '../http/http-app.js';

const Contact = Type.Object({
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
          security: [{ bearer: [] }],
          response: { 200: Type.Object({ items: Type.Array(Contact) }) },
        },
      },
      async (request) => {
        const { rows } = await deps.pool.query<{
          userId: string;
          username: string;
          displayName: string;
          addedAt: Date;
        }>(
          `SELECT c.contact_id AS "userId", u.username, u.display_name AS "displayName", c.added_at AS "addedAt"
           FROM contacts c JOIN users u ON u.user_id = c.contact_id
           WHERE c.owner_id = $1 ORDER BY u.username`,
          [caller(request).userId],
        );
        return { items: rows.map((row) => ({ ...row, addedAt: row.addedAt.toISOString() })) };
      },
    );
  };
}
