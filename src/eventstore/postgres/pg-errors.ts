import pg from 'pg';
import { DuplicateEventIdError, EventStoreUnavailableError, WrongExpectedRevisionError } from '../errors.js';
import type { ExpectedRevision } from '../port.js';
import { STREAM_EVENT_ID_CONSTRAINT, STREAM_REVISION_CONSTRAINT } from './schema.js';

const UNIQUE_VIOLATION = '23505';
/** Node socket errors that mean the server cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/**
 * Whether a pg error means the connection or server is gone (class 08 connection exception,
 * 57P01..57P03 shutdown / cannot connect now, or a socket failure) rather than a bad request.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error ? error.code : undefined;
  if (typeof code === 'string') {
    return (
      code.startsWith('08') ||
      code === '57P01' ||
      code === '57P02' ||
      code === '57P03' ||
      NETWORK_CODES.has(code)
    );
  }
  // node-postgres reports a connection closed under a query with a plain Error and no code.
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    error.message,
  );
}

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
