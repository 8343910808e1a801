import {
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
} from '@eventstore/db-client';
import { EventStoreUnavailableError } from '../errors.js';

/** Turns a client error that means "the server cannot be reached" into the port's error; returns others unchanged. */
export function translateClientError(error: unknown): unknown {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError ||
    error instanceof CancelledError
  ) {
    return new EventStoreUnavailableError(`EventStoreDB: ${error.message}`, { cause: error });
  }
  return error;
}
