import { randomUUID } from 'node:crypto';
import { StreamNotFoundError } from '@eventstore/db-client';
import { describe, expect, it, vi } from 'vitest';
import { InvalidPositionError, StreamDeletedError } from '../../../src/eventstore/errors.js';
import { headPosition, readAll, readStream } from '../../../src/eventstore/eventstoredb/read.js';
import { subscribeToAll } from '../../../src/eventstore/eventstoredb/subscription.js';
import type { RecordedEvent } from '../../../src/eventstore/port.js';
import { GRPC, clientError } from './client-errors.js';
import {
  RECORD_SIZE,
  asClient,
  fakeSubscription,
  fromArray,
  invalidPositionFromSubscription,
  readAllOf,
  resolved,
  type LogRecord,
} from './fake-client.js';

/*
 * The adapter's reads against a fake server that answers as EventStoreDB does (see
 * fake-client.ts): byte-offset positions, its own records among the application's, a start
 * position off a record boundary refused with the client's own error.
 */

/** 600 records, more than two pages: every 10th in a `$` stream, every 7th a `$` type, one binary. */
function logOf(): LogRecord[] {
  return Array.from({ length: 600 }, (_, index) => ({
    position: BigInt(index + 1) * RECORD_SIZE,
    streamId: index % 10 === 0 ? '$stats-127.0.0.1:2113' : `app-${index}`,
    type: index % 7 === 0 ? '$metadata' : 'Tested',
    binary: index === 303,
    id: randomUUID(),
    data: { index },
  }));
}

const isApplicationEvent = (record: LogRecord) =>
  !record.streamId.startsWith('$') && !record.type.startsWith('$') && !record.binary;

const logger = () => ({ warn: vi.fn(), error: vi.fn() });

describe('EventStoreDB reads of $all', () => {
  const log = logOf();
  const client = asClient({ readAll: readAllOf(log) });
  const application = log.filter(isApplicationEvent);
  const last = application.at(-1)!;

  it('return the application’s events in order, across pages, skipping the server’s own and binary ones', async () => {
    const warnings = logger();
    const events = await readAll(client, warnings, {});
    expect(events.map((event) => event.position)).toEqual(application.map((record) => record.position));
    expect(warnings.warn).toHaveBeenCalledTimes(1);
    const [context] = warnings.warn.mock.calls[0] as [Record<string, unknown>];
    expect(context).toEqual({
      streamName: 'app-303',
      eventId: log[303]?.id,
      eventType: 'Tested',
      position: log[303]?.position.toString(),
    });
  });

  it('accept 0 and positions the store returned', async () => {
    const [first] = await readAll(client, logger(), { after: 0n, maxCount: 1 });
    expect(first?.position).toBe(application[0]?.position);
    const [next] = await readAll(client, logger(), { after: first?.position, maxCount: 1 });
    expect(next?.position).toBe(application[1]?.position);
    expect(await readAll(client, logger(), { after: last.position })).toEqual([]);
  });

  it('refuse a position inside a record, one past the head, and a negative one', async () => {
    for (const after of [application[3]!.position + 1n, last.position + RECORD_SIZE * 10n, -1n]) {
      const error = await readAll(client, logger(), { after }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidPositionError);
      expect((error as InvalidPositionError).position).toBe(after);
    }
  });

  it('take the head from the newest application event, past the server’s own', async () => {
    const withTrailingSystem = [
      ...log,
      { position: log.at(-1)!.position + RECORD_SIZE, streamId: '$$app-1', type: '$metadata' },
      { position: log.at(-1)!.position + 2n * RECORD_SIZE, streamId: '$scavenges', type: 'ScavengeStarted' },
    ];
    expect(await headPosition(asClient({ readAll: readAllOf(withTrailingSystem) }))).toBe(last.position);
    expect(await headPosition(asClient({ readAll: readAllOf([]) }))).toBe(0n);
  });
});

describe('EventStoreDB stream reads', () => {
  it('read a missing stream as empty and a deleted one as StreamDeletedError', async () => {
    const missing = asClient({
      readStream: () => fromArray([], new StreamNotFoundError(undefined, 'user-1')),
    });
    expect(await readStream(missing, 'user-1')).toEqual([]);
    const deleted = asClient({
      readStream: () =>
        fromArray(
          [],
          clientError(GRPC.UNKNOWN, 'Event stream user-1 is deleted.', {
            exception: 'stream-deleted',
            'stream-name': 'user-1',
          }),
        ),
    });
    const error = await readStream(deleted, 'user-1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StreamDeletedError);
    expect((error as StreamDeletedError).streamName).toBe('user-1');
  });
});

describe('EventStoreDB subscriptions to $all', () => {
  const log = logOf().slice(0, 40);
  const application = log.filter(isApplicationEvent);

  async function take(subscription: AsyncIterable<RecordedEvent>, count: number): Promise<RecordedEvent[]> {
    const taken: RecordedEvent[] = [];
    for await (const event of subscription) {
      taken.push(event);
      if (taken.length === count) break;
    }
    return taken;
  }

  it('deliver the application’s events only, skipping binary ones with a warning', async () => {
    const feed = fakeSubscription();
    const binary = { streamId: 'foreign', type: 'Written', position: log[19]!.position + 50n, binary: true };
    for (const record of [...log.slice(0, 20), binary, ...log.slice(20)]) feed.write(resolved(record));
    const warnings = logger();
    const client = asClient({ readAll: readAllOf(log), subscribeToAll: () => feed });
    const events = await take(
      subscribeToAll(client, warnings, {}, new AbortController().signal),
      application.length,
    );
    expect(events.map((event) => event.position)).toEqual(application.map((record) => record.position));
    expect(warnings.warn).toHaveBeenCalledTimes(1);
    expect(feed.destroyed).toBe(true);
  });

  it('refuse a start the server refuses (off a record boundary) and one past the head', async () => {
    const offBoundary = application[2]!.position + 1n;
    const feed = fakeSubscription();
    const subscribe = vi.fn(() => {
      setImmediate(() => feed.destroy(invalidPositionFromSubscription()));
      return feed;
    });
    const client = asClient({ readAll: readAllOf(log), subscribeToAll: subscribe });
    for (const after of [offBoundary, application.at(-1)!.position + RECORD_SIZE]) {
      const error = await take(
        subscribeToAll(client, logger(), { after }, new AbortController().signal),
        1,
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidPositionError);
      expect((error as InvalidPositionError).position).toBe(after);
    }
    // Past the head is found out before subscribing (the server would wait there silently).
    expect(subscribe).toHaveBeenCalledTimes(1);
  });
});
