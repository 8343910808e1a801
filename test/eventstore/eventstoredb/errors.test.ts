import {
  AccessDeniedError,
  StreamDeletedError as ClientStreamDeletedError,
  UnavailableError,
  UnknownError,
} from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import {
  EventStoreUnavailableError,
  InvalidPositionError,
  StreamDeletedError,
} from '../../../src/eventstore/errors.js';
import { GRPC, clientError } from './client-errors.js';
import { translateClientError } from '../../../src/eventstore/eventstoredb/esdb-errors.js';

describe('translateClientError', () => {
  it('turns the server being out of reach into EventStoreUnavailableError', () => {
    const error = clientError(GRPC.UNAVAILABLE, 'No connection established');
    expect(error).toBeInstanceOf(UnavailableError);
    const translated = translateClientError(error);
    expect(translated).toBeInstanceOf(EventStoreUnavailableError);
    expect((translated as Error).cause).toBe(error);
  });

  it('turns refused access (a deployment fault, not the caller’s) into EventStoreUnavailableError', () => {
    for (const error of [
      clientError(GRPC.UNKNOWN, 'Access Denied', { exception: 'access-denied' }),
      clientError(GRPC.UNAUTHENTICATED, 'Bad credentials'),
      new AccessDeniedError(), // how a batch append reports it
    ]) {
      expect(error).toBeInstanceOf(AccessDeniedError);
      const translated = translateClientError(error);
      expect(translated).toBeInstanceOf(EventStoreUnavailableError);
      expect((translated as Error).message).not.toMatch(/changeit|password/);
    }
  });

  it('turns a deleted stream into the port’s StreamDeletedError, naming the stream', () => {
    const fromRead = clientError(GRPC.UNKNOWN, 'Event stream user-1 is deleted.', {
      exception: 'stream-deleted',
      'stream-name': 'user-1',
    });
    const fromAppend = ClientStreamDeletedError.fromStreamName('user-2');
    for (const [error, streamName] of [
      [fromRead, 'user-1'],
      [fromAppend, 'user-2'],
    ] as const) {
      expect(error).toBeInstanceOf(ClientStreamDeletedError);
      const translated = translateClientError(error, { streamName: 'ignored' });
      expect(translated).toBeInstanceOf(StreamDeletedError);
      expect((translated as StreamDeletedError).streamName).toBe(streamName);
    }
  });

  it('turns the server refusing a start position into InvalidPositionError for that position', () => {
    const answers = [
      // A read of $all, every version since 20.10.
      clientError(GRPC.UNKNOWN, 'Unexpected ReadAllResult: InvalidPosition'),
      // A subscription to $all (filtered or not), 23.10 and later.
      clientError(GRPC.INVALID_ARGUMENT, 'Trying to read from an invalid position.'),
      clientError(GRPC.UNKNOWN, 'Unexpected FilteredReadAllResult: InvalidPosition'),
    ];
    for (const error of answers) {
      expect(error).toBeInstanceOf(UnknownError);
      const translated = translateClientError(error, { position: 1234n });
      expect(translated).toBeInstanceOf(InvalidPositionError);
      expect((translated as InvalidPositionError).position).toBe(1234n);
      // Without a start position it cannot be about one: left as it is.
      expect(translateClientError(error)).toBe(error);
    }
  });

  it('leaves every other error as it is', () => {
    const unknown = clientError(GRPC.UNKNOWN, 'Something else went wrong');
    expect(translateClientError(unknown, { position: 1n, streamName: 's' })).toBe(unknown);
    const plain = new Error('not from the client');
    expect(translateClientError(plain)).toBe(plain);
  });
});
