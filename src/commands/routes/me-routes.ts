import { Type } from '@sinclair/typebox';
import { caller } from '../../platform/authenticate.js';
import type { HttpApp } from '../../platform/http-app.js';
import { requestMetadata } from '../metadata.js';
import { changePassword, type PasswordDeps } from '../passwords.js';
import { NewPassword } from './password-reset-routes.js';

export type MeRoutesDeps = PasswordDeps;

/** The caller's own account: POST /v1/me/password. */
export function meRoutes(deps: MeRoutesDeps) {
  return async (app: HttpApp) => {
    app.post(
      '/v1/me/password',
      {
        schema: {
          tags: ['accounts'],
          security: [{ bearer: [] }],
          description: 'Changes the password; every other session (refresh token) of the caller ends.',
          body: Type.Object(
            { currentPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: NewPassword },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const me = caller(request);
        const position = await changePassword(
          deps,
          { userId: me.userId, sessionId: me.sessionId, ...request.body },
          requestMetadata(request, deps.now()),
        );
        if (position !== undefined) void reply.header('x-position', position.toString());
        return reply.status(204).send();
      },
    );
  };
}
