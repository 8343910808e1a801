import { Type } from '@sinclair/typebox';
import { caller } from '../../http/authenticate.js';
import { CALLER_COMMAND, NoContent, problems } from '../../http-docs/openapi.js';
import type { HttpApp } from '../../http/http-app.js';
import { eraseAccount } from '../erasure.js';
import { requestMetadata } from '../metadata.js';
import { changePassword, type PasswordDeps } from '../passwords.js';
import { NewPassword } from './password-reset-routes.js';

export type MeRoutesDeps = PasswordDeps;

/** The caller's own account: POST /v1/me/password, DELETE /v1/me. */
export function meRoutes(deps: MeRoutesDeps) {
  return async (app: HttpApp) => {
    app.post(
      '/v1/me/password',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Change the password',
          operationId: 'changePassword',
          security: [{ bearer: [] }],
          description: 'Changes the password; every other session (refresh token) of the caller ends.',
          body: Type.Object(
            { currentPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: NewPassword },
            { additionalProperties: false },
          ),
          response: {
            204: NoContent('Changed'),
            ...problems(...CALLER_COMMAND, {
              400: 'The current password is wrong',
              403: 'The email is not verified (REQUIRE_EMAIL_VERIFICATION)',
              429: 'Too many wrong current passwords; retry after Retry-After',
            }),
          },
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

    app.delete(
      '/v1/me',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Erase the account',
          operationId: 'eraseAccount',
          security: [{ bearer: [] }],
          description:
            'Erases the account: it can no longer log in; its email, display name and message bodies ' +
            'become unreadable everywhere, the log included. The username stays reserved.',
          body: Type.Object(
            { password: Type.String({ minLength: 1, maxLength: 256 }) },
            { additionalProperties: false },
          ),
          response: {
            204: NoContent('Erased'),
            ...problems(...CALLER_COMMAND, {
              400: 'The password is wrong',
              429: 'Too many wrong passwords; retry after Retry-After',
            }),
          },
        },
      },
      async (request, reply) => {
        const position = await eraseAccount(
          deps,
          { userId: caller(request).userId, password: request.body.password },
          requestMetadata(request, deps.now()),
        );
        if (position !== undefined) void reply.header('x-position', position.toString());
        return reply.status(204).send();
      },
    );
  };
}
