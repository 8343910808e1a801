import { Type } from '@sinclair/typebox';
import { contactsDecider, contactsStreamName } from '../../domain/contacts/contacts.js';
import { CALLER_COMMAND, NoContent, problems } from '../../http-docs/openapi.js';
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
