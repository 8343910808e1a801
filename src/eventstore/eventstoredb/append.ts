import {
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type EventStoreDBClient,
} from '@eventstore/db-client';
import { assertAppendable } from '../appendable.js';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors.js';
import type { AppendResult, ExpectedRevision, NewEvent } from '../port.js';
import { translateClientError } from './esdb-errors.js';
import { readStreamEvents } from './read.js';
import { positionOf, toEventData } from './recorded-event.js';

function toAppendExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return 'any';
    case 'no_stream':
      return 'no_stream';
    case 'stream_exists':
      return 'stream_exists';
    default:
      return expected;
  }
}

/** Position of the event at `revision`, for results the server reports without one. */
async function positionAt(client: EventStoreDBClient, streamName: string, revision: bigint): Promise<bigint> {
  const [event] = await readStreamEvents(client, streamName, { fromRevision: revision, maxCount: 1 });
  const position = event === undefined ? undefined : positionOf(event);
  if (position === undefined) {
    throw new Error(
      `EventStoreDB reported no position for ${streamName}@${revision}; a server >= 22.6 is required`,
    );
  }
  return position;
}

/**
 * After a WrongExpectedVersion on an exact expectation: is this a retry of an append already
 * stored right after that revision? The server answers idempotently on its own only while the
 * ids are in its cache, and reports a partial id match as a plain conflict; this settles both.
 */
async function findStoredAppend(
  client: EventStoreDBClient,
  streamName: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
): Promise<AppendResult | undefined> {
  if (expected !== 'no_stream' && typeof expected !== 'bigint') return undefined;
  const fromRevision = expected === 'no_stream' ? 0n : expected + 1n;
  const stored = await readStreamEvents(client, streamName, { fromRevision, maxCount: events.length });
  const storedIds = stored.map((resolved) => resolved.event?.id.toLowerCase());
  const ids = events.map((event) => event.id.toLowerCase());
  const last = stored.at(-1);
  if (
    last?.event !== undefined &&
    storedIds.length === ids.length &&
    ids.every((id, i) => storedIds[i] === id)
  ) {
    const position = positionOf(last);
    if (position !== undefined) return { nextExpectedRevision: last.event.revision, position };
  }
  const reused = events.find((event) => storedIds.includes(event.id.toLowerCase()));
  if (reused !== undefined) throw new DuplicateEventIdError(streamName, reused.id);
  return undefined;
}

/** A conflict: the original result if this append is a retry of a stored one, else the port's error. */
async function settleConflict(
  client: EventStoreDBClient,
  streamName: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  actual: bigint | 'no_stream' | undefined,
): Promise<AppendResult> {
  const original = await findStoredAppend(client, streamName, events, expected);
  if (original !== undefined) return original;
  throw new WrongExpectedRevisionError(streamName, expected, actual);
}

export async function appendToStream(
  client: EventStoreDBClient,
  streamName: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
): Promise<AppendResult> {
  assertAppendable(streamName, events);
  let result: Awaited<ReturnType<EventStoreDBClient['appendToStream']>>;
  try {
    result = await client.appendToStream(streamName, events.map(toEventData), {
      expectedRevision: toAppendExpectedRevision(expected),
    });
  } catch (error) {
    if (!(error instanceof WrongExpectedVersionError)) throw translateClientError(error, { streamName });
    return settleConflict(client, streamName, events, expected, error.actualVersion);
  }
  // A client made with throwOnAppendFailure=false reports a conflict as a result (and, over
  // batch appends, with a wrong revision): never take it for a success.
  if (!result.success) return settleConflict(client, streamName, events, expected, undefined);
  // An idempotent retry succeeds without a position: look up the original one.
  const position =
    result.position?.commit ?? (await positionAt(client, streamName, result.nextExpectedRevision));
  return { nextExpectedRevision: result.nextExpectedRevision, position };
}
