import { Type } from '@sinclair/typebox';
import { blocksDecider, blocksStreamName } from '../../domain/blocks/blocks.js';
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
          security: [{ bearer: [] }],
          body: Type.Object({ userId: UserId }, { additionalProperties: false }),
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
      { schema: { tags: ['contacts'], security: [{ bearer: [] }], params: Type.Object({ userId: UserId }) } },
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
