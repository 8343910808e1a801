import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Decider, DomainEvent } from '../domain/decider.js';
import { caller } from '../platform/authenticate.js';
import { handleCommandFrom, type CommandContext, type CommandOutcome } from './handle-command.js';
import { requestMetadata } from './metadata.js';

export interface CallerCommandDeps extends CommandContext {
  readonly now: () => Date;
}

/**
 * Runs a command on behalf of the authenticated caller: the acting user comes from the token,
 * the time from the clock, and the events carry the request's metadata.
 */
export function asCaller(deps: CallerCommandDeps) {
  return <S, C, E extends DomainEvent>(
    request: FastifyRequest,
    streamName: string,
    decider: Decider<S, C, E>,
    command: (context: { actorId: string; now: string }, state: S) => C | Promise<C>,
  ): Promise<CommandOutcome<S, E>> => {
    const now = deps.now();
    const context = { actorId: caller(request).userId, now: now.toISOString() };
    return handleCommandFrom(deps, streamName, decider, (state) => command(context, state), {
      metadata: requestMetadata(request, now),
    });
  };
}

/** 204, with the position of what the command appended (if anything) for read-your-writes. */
export function noContent(reply: FastifyReply, outcome: { readonly position: bigint | undefined }) {
  if (outcome.position !== undefined) void reply.header('x-position', outcome.position.toString());
  return reply.status(204).send();
}
