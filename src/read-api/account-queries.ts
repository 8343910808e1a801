import { Type } from '@sinclair/typebox';
import type pg from 'pg';
import { refuse } from '../domain/errors.js';
import { caller } from '../http/authenticate.js';
import type { HttpApp } from '../http/http-app.js';
import { Limit, UserSummary } from './schemas.js';

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

export function accountQueries(deps: { pool: pg.Pool }) {
  return async (app: HttpApp) => {
    app.get(
      '/v1/auth/verify',
      {
        schema: {
          tags: ['accounts'],
          security: [{ bearer: [] }],
          response: {
            200: Type.Object({ userId: Type.String(), username: Type.String(), exp: Type.Integer() }),
          },
        },
      },
      async (request) => {
        const { userId, username, exp } = caller(request);
        return { userId, username, exp };
      },
    );

    app.get(
      '/v1/me',
      {
        schema: {
          tags: ['accounts'],
          security: [{ bearer: [] }],
          response: {
            200: Type.Object({
              userId: Type.String(),
              username: Type.String(),
              email: Type.String(),
              displayName: Type.String(),
              emailVerified: Type.Boolean(),
            }),
          },
        },
      },
      async (request) => {
        const { rows } = await deps.pool.query(
          `SELECT user_id AS "userId", username, email, display_name AS "displayName",
             email_verified AS "emailVerified" FROM users WHERE user_id = $1`,
          [caller(request).userId],
        );
        if (!rows[0]) {
          throw refuse(
            'user_not_found',
            'no such user yet; retry with X-Min-Position for a fresh registration',
          );
        }
        return rows[0];
      },
    );

    app.get(
      '/v1/users',
      {
        schema: {
          tags: ['accounts'],
          security: [{ bearer: [] }],
          querystring: Type.Object({
            query: Type.String({ maxLength: 32, default: '' }),
            limit: Limit(100, 20),
          }),
          response: { 200: Type.Object({ items: Type.Array(UserSummary) }) },
        },
      },
      async (request) => {
        const prefix = request.query.query.trim().toLowerCase();
        const { rows } = await deps.pool.query(
          `SELECT user_id AS "userId", username, display_name AS "displayName" FROM users
           WHERE username LIKE $1 AND user_id <> $2 ORDER BY username LIMIT $3`,
          [`${escapeLike(prefix)}%`, caller(request).userId, request.query.limit],
        );
        return { items: rows };
      },
    );
  };
}
