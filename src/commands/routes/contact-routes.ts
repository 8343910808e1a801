import { Type } from '@sinclair/typebox';
import { CALLER_COMMAND, NoContent, problems } from '../../http-docs/openapi.js';
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
          summary: 'Add a contact',
          operationId: 'addContact',
          security: [{ bearer: [] }],
          body: Type.Union(
            [
              Type.Object({ username: Username }, { additionalProperties: false }),
              Type.Object({ userId: UserId }, { additionalProperties: false }),
            ],
            { examples: [{ username: 'bob' }] },
          ),
          response: {
            200: Type.Object(ContactResult.properties, { description: 'Already a contact' }),
            201: Type.Object(ContactResult.properties, { description: 'Added' }),
            ...problems(...CALLER_COMMAND, { 400: 'Not valid, or yourself', 404: 'No such user' }),
          },
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
      {
        schema: {
          tags: ['contacts'],
          summary: 'Remove a contact',
          operationId: 'removeContact',
          security: [{ bearer: [] }],
          params: Type.Object({ userId: UserId }),
          response: { 204: NoContent('Removed'), ...problems(...CALLER_COMMAND, { 404: 'Not a contact' }) },
        },
      },
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
