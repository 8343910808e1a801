import { Type } from '@sinclair/typebox';
import { CALLER_COMMAND, NoContent, problems } from '../../http-docs/openapi.js';
import type { HttpApp } from '../../http/http-app.js';
import { blockLists } from '../aggregates.js';
import { callerCommand, noContent, type CallerCommandDeps } from './caller.js';
import { resolveUser } from '../resolve-user.js';
import { UserId } from './schemas.js';

export type BlockRoutesDeps = CallerCommandDeps;

export function blockRoutes(deps: BlockRoutesDeps) {
  return async (app: HttpApp) => {
    app.post(
      '/v1/blocks',
      {
        schema: {
          tags: ['contacts'],
          summary: 'Block a user',
          operationId: 'blockUser',
          description: 'The blocked user can no longer message you, add you to groups or see your presence.',
          security: [{ bearer: [] }],
          body: Type.Object({ userId: UserId }, { additionalProperties: false }),
          response: {
            204: NoContent('Blocked'),
            ...problems(...CALLER_COMMAND, { 400: 'Not valid, or yourself', 404: 'No such user' }),
          },
        },
      },
      async (request, reply) => {
        const target = await resolveUser(deps, { userId: request.body.userId.toLowerCase() });
        const { actorId, now, metadata } = callerCommand(request, deps.now);
        const outcome = await blockLists.handle(
          deps,
          actorId,
          { type: 'BlockUser', blockerId: actorId, blockedId: target.userId, now },
          { metadata },
        );
        return noContent(reply, outcome);
      },
    );

    app.delete(
      '/v1/blocks/:userId',
      {
        schema: {
          tags: ['contacts'],
          summary: 'Unblock a user',
          operationId: 'unblockUser',
          security: [{ bearer: [] }],
          params: Type.Object({ userId: UserId }),
          response: { 204: NoContent('Unblocked (or was not blocked)'), ...problems(...CALLER_COMMAND) },
        },
      },
      async (request, reply) => {
        const { actorId, now, metadata } = callerCommand(request, deps.now);
        const outcome = await blockLists.handle(
          deps,
          actorId,
          { type: 'UnblockUser', blockerId: actorId, blockedId: request.params.userId.toLowerCase(), now },
          { metadata },
        );
        return noContent(reply, outcome);
      },
    );
  };
}
