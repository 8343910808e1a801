import { Type } from '@sinclair/typebox';
import { blocksDecider, blocksStreamName } from '../../domain/blocks/blocks.js';
import { caller } from '../../platform/authenticate.js';
import type { HttpApp } from '../../platform/http-app.js';
import { handleCommand, type CommandContext } from '../handle-command.js';
import { requestMetadata } from '../metadata.js';
import { resolveUser } from '../resolve-user.js';
import { UserId } from './schemas.js';

export interface BlockRoutesDeps extends CommandContext {
  readonly now: () => Date;
}

export function blockRoutes(deps: BlockRoutesDeps) {
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
        const now = deps.now();
        const outcome = await handleCommand(
          deps,
          blocksStreamName(me.userId),
          blocksDecider,
          { type: 'BlockUser', blockerId: me.userId, blockedId: target.userId, now: now.toISOString() },
          { metadata: requestMetadata(request, now) },
        );
        if (outcome.position !== undefined) void reply.header('x-position', outcome.position.toString());
        return reply.status(204).send();
      },
    );

    app.delete(
      '/v1/blocks/:userId',
      { schema: { tags: ['contacts'], security: [{ bearer: [] }], params: Type.Object({ userId: UserId }) } },
      async (request, reply) => {
        const me = caller(request);
        const now = deps.now();
        const outcome = await handleCommand(
          deps,
          blocksStreamName(me.userId),
          blocksDecider,
          {
            type: 'UnblockUser',
            blockerId: me.userId,
            blockedId: request.params.userId.toLowerCase(),
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
