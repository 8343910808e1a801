import { Type } from '@sinclair/typebox';
import { COMMAND, NoContent, WITH_BODY, problems } from '../../http-docs/openapi.js';
import type { HttpApp } from '../../http/http-app.js';
import { requestMetadata } from '../metadata.js';
import { confirmPasswordReset, requestPasswordReset, type PasswordDeps } from '../passwords.js';

const Email = Type.String({ format: 'email', maxLength: 254 });
export const NewPassword = Type.String({ minLength: 8, maxLength: 256 });

/** Password reset by a mailed code: POST /v1/auth/password-reset and /confirm (no bearer token). */
export function passwordResetRoutes(deps: PasswordDeps) {
  return async (app: HttpApp) => {
    app.post(
      '/v1/auth/password-reset',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Ask for a password-reset code',
          operationId: 'requestPasswordReset',
          description:
            'Mails a password-reset code if the address belongs to a user; answers 202 either way.',
          body: Type.Object({ email: Email }, { additionalProperties: false }),
          response: {
            202: Type.Object({}, { description: 'Accepted (whether or not the address is registered)' }),
            ...problems(...WITH_BODY, { 429: 'Too many codes asked for from this address; retry later' }),
          },
        },
      },
      async (request, reply) => {
        await requestPasswordReset(
          deps,
          { email: request.body.email, clientIp: request.ip },
          requestMetadata(request, deps.now()),
        );
        return reply.status(202).send({});
      },
    );

    app.post(
      '/v1/auth/password-reset/confirm',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Set a new password with a reset code',
          operationId: 'confirmPasswordReset',
          description: 'Sets a new password with the mailed code; every session of the user ends.',
          body: Type.Object(
            {
              email: Email,
              code: Type.String({ pattern: '^[0-9]{6}$', description: 'the 6-digit code' }),
              newPassword: NewPassword,
            },
            { additionalProperties: false },
          ),
          response: {
            204: NoContent('Password set'),
            ...problems(...COMMAND, {
              400: 'Wrong or expired code (also for an unknown address)',
              429: 'Too many wrong codes; retry later',
            }),
          },
        },
      },
      async (request, reply) => {
        const position = await confirmPasswordReset(deps, request.body, requestMetadata(request, deps.now()));
        if (position !== undefined) void reply.header('x-position', position.toString());
        return reply.status(204).send();
      },
    );
  };
}
