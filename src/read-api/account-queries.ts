import { Type } from '@sinclair/typebox';
import type pg from 'pg';
import { MinPositionHeaders, QUERY, problems } from '../http-docs/openapi.js';
import { refuse } from '../domain/errors.js';
import { caller } from '../http/authenticate.js';
import type { HttpApp } from '../http/http-app.js';
import { accountOf, usersByPrefix } from '../read-models/users/queries.js';
import { Limit, UserSummary } from './schemas.js';

export const Me = Type.Object(
  {
    userId: Type.String(),
    username: Type.String(),
    email: Type.String(),
    displayName: Type.String(),
    emailVerified: Type.Boolean(),
  },
  { description: 'Your account' },
);

export function accountQueries(deps: { pool: pg.Pool }) {
  return async (app: HttpApp) => {
    app.get(
      '/v1/auth/verify',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Check a bearer token',
          operationId: 'verifyToken',
          security: [{ bearer: [] }],
          headers: MinPositionHeaders,
          response: {
            200: Type.Object(
              { userId: Type.String(), username: Type.String(), exp: Type.Integer() },
              { description: 'The token is valid: whose it is and when it expires (seconds since 1970)' },
            ),
            ...problems(...QUERY),
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
          summary: 'Your account',
          operationId: 'getMe',
          security: [{ bearer: [] }],
          headers: MinPositionHeaders,
          response: {
            ...problems(...QUERY, {
              404: 'Not in the read models yet (just registered): retry with X-Min-Position',
            }),
            200: Me,
          },
        },
      },
      async (request) => {
        const account = await accountOf(deps.pool, caller(request).userId);
        if (!account) {
          throw refuse(
            'user_not_found',
            'no such user yet; retry with X-Min-Position for a fresh registration',
          );
        }
        return account;
      },
    );

    app.get(
      '/v1/users',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Find users by username prefix',
          operationId: 'searchUsers',
          security: [{ bearer: [] }],
          headers: MinPositionHeaders,
          querystring: Type.Object({
            query: Type.String({ maxLength: 32, default: '' }),
            limit: Limit(100, 20),
          }),
          response: {
            200: Type.Object(
              { items: Type.Array(UserSummary) },
              { description: 'Users whose username starts with `query`, you left out' },
            ),
            ...problems(...QUERY),
          },
        },
      },
      async (request) => {
        const prefix = request.query.query.trim().toLowerCase();
        const items = await usersByPrefix(deps.pool, {
          prefix,
          excluding: caller(request).userId,
          limit: request.query.limit,
        });
        return { items };
      },
    );
  };
}
