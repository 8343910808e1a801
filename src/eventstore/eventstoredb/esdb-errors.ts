import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  StreamDeletedError as ClientStreamDeletedError,
  TimeoutError,
  UnavailableError,
  UnknownError,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, InvalidPositionError, StreamDeletedError } from '../errors.js';

/** What the failed call was about, for errors whose meaning depends on it. */
export interface ClientErrorContext {
  readonly streamName?: string;
  /** The position a read of $all or a subscription started from. */
  readonly position?: bigint;
}

/*
 * The server has no error code of its own for a read of $all that starts inside a record (or
 * elsewhere off a record boundary). Reads answer gRPC UNKNOWN "Unexpected ReadAllResult:
 * InvalidPosition" (or FilteredReadAllResult), subscriptions INVALID_ARGUMENT "Trying to read
 * from an invalid position." (23.10 and later; before, UNKNOWN like the reads); the client turns
 * both into an UnknownError carrying that text.
 */
const INVALID_POSITION = /invalid ?position/i;

/**
 * Turns a client error into the port's error where the port has one: the server cannot be
 * reached (or refuses access: a deployment fault, never the caller's), the stream is deleted, the
 * start position is not one of the log's. Returns others unchanged.
 */
export function translateClientError(error: unknown, context: ClientErrorContext = {}): unknown {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError ||
    error instanceof CancelledError
  ) {
    return new EventStoreUnavailableError(`EventStoreDB: ${error.message}`, { cause: error });
  }
  if (error instanceof AccessDeniedError) {
    return new EventStoreUnavailableError(
      'EventStoreDB refused access: check the user in the connection string and the ACLs of the streams and of $all',
      { cause: error },
    );
  }
  if (error instanceof ClientStreamDeletedError) {
    return new StreamDeletedError(error.streamName || (context.streamName ?? 'unknown'), { cause: error });
  }
  if (
    error instanceof UnknownError &&
    context.position !== undefined &&
    INVALID_POSITION.test(error.message)
  ) {
    return new InvalidPositionError(context.position, { cause: error });
  }
  return error;
}
