import { Type } from '@sinclair/typebox';
import { caller } from '../../http/authenticate.js';
import type { HttpApp } from '../../http/http-app.js';
import type { CommandContext } from '../command-handler.js';
import { users } from '../aggregates.js';
import { requestMetadata } from '../metadata.js';

export interface ProfileRoutesDeps extends CommandContext {
  readonly now: () => Date;
}

const MessagePolicy = Type.Union([Type.Literal('everyone'), Type.Literal('contacts')], {
  description: 'who may start a direct conversation with you: anyone, or only your contacts',
});

/** PATCH /v1/me: the caller's display name and message policy. */
export function profileRoutes(deps: ProfileRoutesDeps) {
  return async (app: HttpApp) => {
    app.patch(
      '/v1/me',
      {
        schema: {
          tags: ['accounts'],
          security: [{ bearer: [] }],
          body: Type.Object(
            {
              displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
              messagePolicy: Type.Optional(MessagePolicy),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              userId: Type.String(),
              username: Type.String(),
              email: Type.String(),
              displayName: Type.String(),
              emailVerified: Type.Boolean(),
              messagePolicy: MessagePolicy,
            }),
          },
        },
      },
      async (request, reply) => {
        const me = caller(request);
        const now = deps.now();
        const { displayName, messagePolicy } = request.body;
        const outcome = await users.handle(
          deps,
          me.userId,
          {
            type: 'ChangeProfile',
            ...(displayName !== undefined ? { displayName } : {}),
            ...(messagePolicy !== undefined ? { messagePolicy } : {}),
            now: now.toISOString(),
          },
          { metadata: requestMetadata(request, now) },
        );
        const user = outcome.state;
        if (user.status !== 'registered') throw new Error('a signed-in caller has no user stream');
        if (outcome.position !== undefined) void reply.header('x-position', outcome.position.toString());
        return {
          userId: user.userId,
          username: user.username,
          email: user.email,
          displayName: user.displayName,
          emailVerified: user.emailVerified,
          messagePolicy: user.messagePolicy,
        };
      },
    );
  };
}
