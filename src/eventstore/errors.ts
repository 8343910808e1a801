import type { ExpectedRevision } from './port.js';

/** The stream's actual revision did not match the expected one. */
export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    /** The stream's revision, or 'no_stream'; undefined when the adapter cannot tell. */
    readonly actual: bigint | 'no_stream' | undefined,
  ) {
    super(
      `stream ${streamName}: expected revision ${String(expected)}, actual ${String(actual ?? 'unknown')}`,
    );
  }
}

/** An event id was re-used for a different append than the one that stored it. */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(
    readonly streamName: string,
    readonly eventId: string,
  ) {
    super(`event id ${eventId} is already stored and the append does not match the stored one`);
  }
}

/** The store could not be reached or failed in a way that is not the caller's fault. */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A read or subscription was asked to start after a position this store never returned: a
 * negative number, one past the head, or (EventStoreDB, whose positions are byte offsets) one
 * that is not the start of a record, which the server notices outside scavenged chunks (in
 * those it reads on from the next record). Cursors are positions the store returned, or 0.
 */
export class InvalidPositionError extends Error {
  override readonly name = 'InvalidPositionError';
  constructor(
    readonly position: bigint,
    options?: { cause?: unknown },
  ) {
    super(`${position} is not a position of this event store`, options);
  }
}

/** The stream was deleted for good (EventStoreDB's tombstone): it can be neither read nor appended to. */
export class StreamDeletedError extends Error {
  override readonly name = 'StreamDeletedError';
  constructor(
    readonly streamName: string,
    options?: { cause?: unknown },
  ) {
    super(`stream ${streamName} is deleted`, options);
  }
}
