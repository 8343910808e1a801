import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors.js';
import type { AppendResult, ExpectedRevision, NewEvent } from '../port.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Rejects input the database would refuse halfway through a transaction. */
export function assertAppendable(streamName: string, events: readonly NewEvent[]): void {
  if (streamName.length === 0) throw new TypeError('stream name must not be empty');
  const seen = new Set<string>();
  for (const event of events) {
    if (!UUID.test(event.id)) throw new TypeError(`event id ${JSON.stringify(event.id)} is not a UUID`);
    const id = event.id.toLowerCase();
    if (seen.has(id)) throw new DuplicateEventIdError(streamName, event.id);
    seen.add(id);
  }
}

/** Throws unless the stream's current revision (undefined: no stream) satisfies `expected`. */
export function checkExpectedRevision(
  streamName: string,
  expected: ExpectedRevision,
  current: bigint | undefined,
): void {
  const satisfied =
    expected === 'any' ||
    (expected === 'no_stream' && current === undefined) ||
    (expected === 'stream_exists' && current !== undefined) ||
    (typeof expected === 'bigint' && expected === current);
  if (!satisfied) throw new WrongExpectedRevisionError(streamName, expected, current ?? 'no_stream');
}

/** A stored event of the stream whose id is among those being appended. */
export interface StoredEventRef {
  readonly id: string;
  readonly revision: bigint;
  readonly position: bigint;
}

/**
 * Decides what an append means given which of its ids the stream already holds (`stored`, in
 * revision order): `undefined` when none (a new append); the original result when all of them
 * are stored as the same events in the same order at consecutive revisions (a retry); otherwise
 * an id is being re-used for something else, which throws DuplicateEventIdError.
 */
export function matchStoredAppend(
  streamName: string,
  events: readonly NewEvent[],
  stored: readonly StoredEventRef[],
): AppendResult | undefined {
  const first = stored[0];
  if (first === undefined) return undefined;
  const last = stored[stored.length - 1] ?? first;
  const sameSequence =
    stored.length === events.length &&
    stored.every(
      (ref, index) =>
        ref.id.toLowerCase() === events[index]?.id.toLowerCase() &&
        ref.revision === first.revision + BigInt(index),
    );
  if (!sameSequence) throw new DuplicateEventIdError(streamName, first.id);
  return { nextExpectedRevision: last.revision, position: last.position };
}
