import { Type } from '@sinclair/typebox';
import { contactsDecider, contactsStreamName } from '../../domain/contacts/contacts.js';
import { caller } from '../../platform/authenticate.js';
import type { HttpApp } from '../../platform/http-app.js';
import { asCaller, noContent, type CallerCommandDeps } from '../as-caller.js';
import { resolveUser } from '../resolve-user.js';
import { Position, UserId, Username } from './schemas.js';

export type ContactRoutesDeps = CallerCommandDeps;

const ContactResult = Type.Object({
  userId: UserId,
  username: Type.String(),
  position: Type.Optional(Position),
});

export function contactRoutes(deps: ContactRoutesDeps) {
  const run = asCaller(deps);
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
        const outcome = await run(
          request,
          contactsStreamName(me.userId),
          contactsDecider,
          ({ actorId, now }) => ({
            type: 'AddContact' as const,
            ownerId: actorId,
            contactId: contact.userId,
            now,
          }),
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
        const outcome = await run(
          request,
          contactsStreamName(me.userId),
          contactsDecider,
          ({ actorId, now }) => ({
            type: 'RemoveContact' as const,
            ownerId: actorId,
            contactId: request.params.userId.toLowerCase(),
            now,
          }),
        );
        return noContent(reply, outcome);
      },
    );
  };
}
