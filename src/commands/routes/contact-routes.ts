import { Type } from '@sinclair/typebox';
import { contactsDecider, contactsStreamName } from '../../domain/contacts/contacts.js';
import { caller } from '../../platform/authenticate.js';
import type { HttpApp } from '../../platform/http-app.js';
import { handleCommand, type CommandContext } from '../handle-command.js';
import { requestMetadata } from '../metadata.js';
import { resolveUser } from '../resolve-user.js';
import { Position, UserId, Username } from './schemas.js';

export interface ContactRoutesDeps extends CommandContext {
  readonly now: () => Date;
}

const ContactResult = Type.Object({
  userId: UserId,
  username: Type.String(),
  position: Type.Optional(Position),
});

export function contactRoutes(deps: ContactRoutesDeps) {
  return async (app: HttpApp) => {
    app.post(
      '/v1/contacts',
      {
        schema: {
          tags: ['contacts'],
          security: [{ bearer: [] }],
          body: Type.Union([
            Type.Object({ username: Username }, { additionalProperties: false }),
            Type.Object({ userId: UserId }, { additionalProperties: false }),
          ]),
          response: { 200: ContactResult, 201: ContactResult },
        },
      },
      async (request, reply) => {
        const me = caller(request);
        const contact = await resolveUser(deps, request.body);
        const now = deps.now();
        const outcome = await handleCommand(
          deps,
          contactsStreamName(me.userId),
          contactsDecider,
          {
            type: 'AddContact',
            ownerId: me.userId,
            contactId: contact.userId,
            now: now.toISOString(),
          },
          { metadata: requestMetadata(request, now) },
        );
        const added = outcome.appended.length > 0;
        return reply.status(added ? 201 : 200).send({
          userId: contact.userId,
          username: contact.username,
          ...(added && outcome.position !== undefined ? { position: outcome.position.toString() } : {}),
        });
      },
    );

    app.delete(
      '/v1/contacts/:userId',
      { schema: { tags: ['contacts'], security: [{ bearer: [] }], params: Type.Object({ userId: UserId }) } },
      async (request, reply) => {
        const me = caller(request);
        const now = deps.now();
        const outcome = await handleCommand(
          deps,
          contactsStreamName(me.userId),
          contactsDecider,
          {
            type: 'RemoveContact',
            ownerId: me.userId,
            contactId: request.params.userId.toLowerCase(),
            now: now.toISOString(),
          },
          { metadata: requestMetadata(request, now) },
        );
        if (outcome.position !== undefined) void reply.header('x-position', outcome.position.toString());
        return reply.status(204).send();
      },
    );
  };
}
