import { randomUUID } from 'node:crypto';
import {
  AccessDeniedError,
  StreamDeletedError as ClientStreamDeletedError,
  WrongExpectedVersionError,
  type AppendResult,
} from '@eventstore/db-client';
import { describe, expect, it, vi } from 'vitest';
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  StreamDeletedError,
  WrongExpectedRevisionError,
} from '../../../src/eventstore/errors.js';
import { appendToStream } from '../../../src/eventstore/eventstoredb/append.js';
import type { NewEvent } from '../../../src/eventstore/port.js';
import { asClient, fromArray, resolved, type LogRecord } from './fake-client.js';

const newEvents = (count: number): NewEvent[] =>
  Array.from({ length: count }, () => ({ id: randomUUID(), type: 'Tested', data: {} }));

/** A client whose append answers `outcome` and whose stream `s` holds `stored` from revision 0. */
function clientWith(outcome: () => Promise<AppendResult>, stored: readonly LogRecord[] = []) {
  const append = vi.fn(outcome);
  const client = asClient({
    appendToStream: append,
    readStream: (_name: string, options: { fromRevision: bigint; maxCount?: number }) =>
      fromArray(
        stored
          .filter((record) => (record.revision ?? 0n) >= options.fromRevision)
          .slice(0, options.maxCount)
          .map(resolved),
      ),
  });
  return { client, append };
}

/** The stream `s` with revisions 0..n-1, at positions 1000, 1100, … */
const storedAs = (events: readonly NewEvent[], from = 0n): LogRecord[] =>
  events.map((event, index) => ({
    streamId: 's',
    type: event.type,
    id: event.id,
    revision: from + BigInt(index),
    position: 1000n + 100n * (from + BigInt(index)),
  }));

describe('EventStoreDB appends', () => {
  it('return the revision and the position the server reports', async () => {
    const { client } = clientWith(async () => ({
      success: true,
      nextExpectedRevision: 1n,
      position: { commit: 1100n, prepare: 1100n },
    }));
    expect(await appendToStream(client, 's', newEvents(2), 'no_stream')).toEqual({
      nextExpectedRevision: 1n,
      position: 1100n,
    });
  });

  it('turn a conflict the client throws into WrongExpectedRevisionError with the actual revision', async () => {
    // As the client's append does on a WrongExpectedVersion answer.
    const { client } = clientWith(
      async () => {
        throw new WrongExpectedVersionError(undefined, { streamName: 's', current: 4n, expected: 2n });
      },
      storedAs(newEvents(5)),
    );
    const error = await appendToStream(client, 's', newEvents(1), 2n).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ streamName: 's', expected: 2n, actual: 4n });
  });

  it('never take a { success: false } result (throwOnAppendFailure=false) for a success', async () => {
    // What a batch append answers then: success false, and a revision that is not the stream's.
    const { client } = clientWith(
      async () => ({ success: false, nextExpectedRevision: 1n, position: undefined }),
      storedAs(newEvents(5)),
    );
    const error = await appendToStream(client, 's', newEvents(1), 2n).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ expected: 2n, actual: undefined });
  });

  it('recognise a retry of a stored append behind a conflict, and refuse a re-used id', async () => {
    const earlier = newEvents(2);
    const events = newEvents(2);
    const stored = [...storedAs(earlier), ...storedAs(events, 2n), ...storedAs(newEvents(1), 4n)];
    const conflict = async (): Promise<AppendResult> => {
      throw new WrongExpectedVersionError(undefined, { streamName: 's', current: 4n, expected: 1n });
    };
    const { client } = clientWith(conflict, stored);
    expect(await appendToStream(client, 's', events, 1n)).toEqual({
      nextExpectedRevision: 3n,
      position: 1300n,
    });
    const reused = appendToStream(client, 's', [events[0]!, ...newEvents(1)], 1n);
    await expect(reused).rejects.toBeInstanceOf(DuplicateEventIdError);
  });

  it('turn a deleted stream and refused access into the port’s errors', async () => {
    const deleted = clientWith(async () => {
      throw ClientStreamDeletedError.fromStreamName('s');
    });
    const error = await appendToStream(deleted.client, 's', newEvents(1), 'any').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StreamDeletedError);
    expect((error as StreamDeletedError).streamName).toBe('s');

    const denied = clientWith(async () => {
      throw new AccessDeniedError();
    });
    await expect(appendToStream(denied.client, 's', newEvents(1), 'any')).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
  });

  it('refuse, before sending anything, what the port forbids', async () => {
    const { client, append } = clientWith(async () => {
      throw new Error('must not be called');
    });
    const [event] = newEvents(1);
    const refusals: [string, NewEvent[], new (...args: never[]) => Error][] = [
      ['s', [], TypeError],
      ['s', [{ ...event!, id: 'not-a-uuid' }], TypeError],
      ['s', [event!, { ...event!, id: event!.id.toUpperCase() }], DuplicateEventIdError],
      ['$s', [event!], TypeError],
      ['s', [{ ...event!, type: '$metadata' }], TypeError],
      ['', [event!], TypeError],
    ];
    for (const [streamName, events, errorClass] of refusals) {
      await expect(appendToStream(client, streamName, events, 'any')).rejects.toBeInstanceOf(errorClass);
    }
    expect(append).not.toHaveBeenCalled();
  });
});
