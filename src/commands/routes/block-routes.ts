import { Type } from '@sinclair/typebox';
import { blocksDecider, blocksStreamName } from '../../domain/blocks/blocks.js';
import { CALLER_COMMAND, NoContent, problems } from '../../http-docs/openapi.js';
import { caller } from '../../platform/authenticate.js';
import type { HttpApp } from '../../platform/http-app.js';
import { asCaller, noContent, type CallerCommandDeps } from '../as-caller.js';
import { resolveUser } from '../resolve-user.js';
import { UserId } from './schemas.js';

export type BlockRoutesDeps = CallerCommandDeps;

export function blockRoutes(deps: BlockRoutesDeps) {
  const run = asCaller(deps);
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
        const me = caller(request);
        const target = await resolveUser(deps, { userId: request.body.userId.toLowerCase() });
        const outcome = await run(
          request,
          blocksStreamName(me.userId),
          blocksDecider,
          ({ actorId, now }) => ({
            type: 'BlockUser' as const,
            blockerId: actorId,
            blockedId: target.userId,
            now,
          }),
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
        const me = caller(request);
        const outcome = await run(
          request,
          blocksStreamName(me.userId),
          blocksDecider,
          ({ actorId, now }) => ({
            type: 'UnblockUser' as const,
            blockerId: actorId,
            blockedId: request.params.userId.toLowerCase(),
            now,
          }),
        );
        return noContent(reply, outcome);
      },
    );
  };
}
