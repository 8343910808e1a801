import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventMetadata } from '../../eventstore/port.js';
import { caller } from '../../http/authenticate.js';
import type { CommandContext } from '../command-handler.js';
import type { Caller } from '../messaging.js';
import { requestMetadata } from '../metadata.js';

export interface CallerCommandDeps extends CommandContext {
  readonly now: () => Date;
}

/** What the HTTP glue gives a command: who acts (from the verified token), when, and its events' metadata. */
export interface CallerCommand {
  readonly actorId: string;
  readonly now: string;
  readonly metadata: EventMetadata;
}

/** The authenticated caller of a request, as the use cases take it (see messaging.ts). */
export function httpCaller(request: FastifyRequest): Caller {
  return { userId: caller(request).userId, metadata: (now) => requestMetadata(request, now) };
}

/** The caller and the time, for a route that builds its command itself. */
export function callerCommand(request: FastifyRequest, clock: () => Date): CallerCommand {
  const now = clock();
  const { userId, metadata } = httpCaller(request);
  return { actorId: userId, now: now.toISOString(), metadata: metadata(now) };
}

/** 204, with the position of what the command appended (if anything) for read-your-writes. */
export function noContent(reply: FastifyReply, outcome: { readonly position: bigint | undefined }) {
  if (outcome.position !== undefined) void reply.header('x-position', outcome.position.toString());
  return reply.status(204).send();
}
