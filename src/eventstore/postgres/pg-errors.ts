import pg from 'pg';
import { isConnectionFailure } from '../../platform/pool-errors.js';
import { SealingKeyConflictError } from '../../platform/personal-data-keys.js';
import { DuplicateEventIdError, EventStoreUnavailableError, WrongExpectedRevisionError } from '../errors.js';
import type { ExpectedRevision } from '../port.js';

export { isConnectionFailure };
import { SEALING_KEY_CONFLICT, STREAM_EVENT_ID_CONSTRAINT, STREAM_REVISION_CONSTRAINT } from './schema.js';

const UNIQUE_VIOLATION = '23505';
/** Turns a driver error met while reading into the port's error, or returns it unchanged. */
export function translateReadError(error: unknown): unknown {
  if (isConnectionFailure(error)) {
    return new EventStoreUnavailableError('the PostgreSQL event store is unreachable', { cause: error });
  }
  return error;
}

/** Turns a driver error met while appending into the port's error, or returns it unchanged. */
export function translateAppendError(
  error: unknown,
  streamName: string,
  expected: ExpectedRevision,
): unknown {
  if (error instanceof pg.DatabaseError && error.code === SEALING_KEY_CONFLICT) {
    return new SealingKeyConflictError();
  }
  if (error instanceof pg.DatabaseError && error.code === UNIQUE_VIOLATION) {
    if (error.constraint === STREAM_REVISION_CONSTRAINT) {
      return new WrongExpectedRevisionError(streamName, expected, undefined);
    }
    if (error.constraint === STREAM_EVENT_ID_CONSTRAINT) {
      const id = /event_id\)=\([^,]*, ([0-9a-f-]+)\)/i.exec(error.detail ?? '')?.[1] ?? 'unknown';
      return new DuplicateEventIdError(streamName, id);
    }
  }
  return translateReadError(error);
}
