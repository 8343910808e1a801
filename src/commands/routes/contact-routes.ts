import { Type } from '@sinclair/typebox';
import type { HttpApp } from '../../http/http-app.js';
import { contactLists } from '../aggregates.js';
import { callerCommand, noContent, type CallerCommandDeps } from './caller.js';
import { resolveUser } from '../resolve-user.js';
import { Position, UserId, Username } from './schemas.js';

export type ContactRoutesDeps = CallerCommandDeps;

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
        const contact = await resolveUser(deps, request.body);
        const { actorId, now, metadata } = callerCommand(request, deps.now);
        const outcome = await contactLists.handle(
          deps,
          actorId,
          { type: 'AddContact', ownerId: actorId, contactId: contact.userId, now },
          { metadata },
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
        const { actorId, now, metadata } = callerCommand(request, deps.now);
        const outcome = await contactLists.handle(
          deps,
          actorId,
          { type: 'RemoveContact', ownerId: actorId, contactId: request.params.userId.toLowerCase(), now },
          { metadata },
        );
        return noContent(reply, outcome);
      },
    );
  };
}
