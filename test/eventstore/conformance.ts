// Long because it is the event store port's whole contract, run against each adapter, one test per promise.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DuplicateEventIdError,
  InvalidPositionError,
  StreamDeletedError,
  WrongExpectedRevisionError,
} from '../../src/eventstore/errors.js';
import type { EventStore, ExpectedRevision, NewEvent, RecordedEvent } from '../../src/eventstore/port.js';

export interface ConformanceSubject {
  readonly store: EventStore;
  /**
   * Deletes a stream for good, the way an operator would (EventStoreDB: a tombstone), where the
   * store can; the port itself has no delete, and the PostgreSQL store none at all.
   */
  readonly deleteStream?: (streamName: string) => Promise<void>;
  cleanup(): Promise<void>;
}

export interface ConformanceOptions {
  /** The subject provides `deleteStream`: run the cases about deleted streams. */
  readonly deletesStreams?: boolean;
}

/** Past the head of any store these tests run against; no arithmetic on a position it returned. */
const BEYOND_ANY_HEAD = 2n ** 62n;

/** A stream name no other test (or earlier run against the same server) uses. */
function uniqueStream(prefix: string): string {
  return `${prefix}-${randomUUID().replaceAll('-', '')}`;
}

function newEvent(
  type: string,
  data: Record<string, unknown> = {},
  metadata?: NewEvent['metadata'],
): NewEvent {
  return { id: randomUUID(), type, data, ...(metadata === undefined ? {} : { metadata }) };
}

function newEvents(count: number, type = 'Tested'): NewEvent[] {
  return Array.from({ length: count }, (_, index) => newEvent(type, { index }));
}

async function expectRejection<E extends Error>(
  promise: Promise<unknown>,
  errorClass: new (...args: never[]) => E,
): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(errorClass);
  return error as E;
}

/**
 * Reads `subscription` until `count` events satisfying `accept` arrived, or `timeoutMs` passed;
 * then aborts it and returns what was collected (the accepted events only).
 */
async function collect(
  store: EventStore,
  options: { after?: bigint; count: number; accept(event: RecordedEvent): boolean; timeoutMs?: number },
  onEvent?: (event: RecordedEvent, collected: readonly RecordedEvent[]) => Promise<void> | void,
): Promise<RecordedEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 10_000);
  const collected: RecordedEvent[] = [];
  try {
    const subscription = store.subscribeToAll({ after: options.after, signal: controller.signal });
    for await (const event of subscription) {
      if (!options.accept(event)) continue;
      collected.push(event);
      await onEvent?.(event, collected);
      if (collected.length >= options.count) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return collected;
}

/** The behaviour every EventStore adapter must show; run it once per adapter. */
export function describeEventStoreConformance(
  name: string,
  factory: () => Promise<ConformanceSubject>,
  options: ConformanceOptions = {},
): void {
  describe(`EventStore conformance: ${name}`, () => {
    let subject: ConformanceSubject | undefined;
    const store = (): EventStore => {
      if (subject === undefined) throw new Error('the store was not created');
      return subject.store;
    };

    // Generous: the factory may have to pull and start a container.
    beforeAll(async () => {
      subject = await factory();
    }, 300_000);

    afterAll(async () => {
      await subject?.cleanup();
    });

    it('answers ping', async () => {
      await expect(store().ping()).resolves.toBeUndefined();
    });

    describe('appendToStream with an expected revision', () => {
      it('no_stream: accepts a new stream and refuses an existing one', async () => {
        const stream = uniqueStream('no-stream');
        const first = await store().appendToStream(stream, newEvents(2), { expectedRevision: 'no_stream' });
        expect(first.nextExpectedRevision).toBe(1n);
        expect(first.position).toBeGreaterThan(0n);

        const error = await expectRejection(
          store().appendToStream(stream, newEvents(1), { expectedRevision: 'no_stream' }),
          WrongExpectedRevisionError,
        );
        expect(error.streamName).toBe(stream);
        expect(error.expected).toBe('no_stream');
        expect(error.actual).toBe(1n);
        expect(await store().readStream(stream)).toHaveLength(2);
      });

      it('stream_exists: refuses a missing stream and accepts an existing one', async () => {
        const stream = uniqueStream('stream-exists');
        const error = await expectRejection(
          store().appendToStream(stream, newEvents(1), { expectedRevision: 'stream_exists' }),
          WrongExpectedRevisionError,
        );
        expect(error.actual).toBe('no_stream');
        expect(await store().readStream(stream)).toEqual([]);

        await store().appendToStream(stream, newEvents(1), { expectedRevision: 'no_stream' });
        const result = await store().appendToStream(stream, newEvents(2), {
          expectedRevision: 'stream_exists',
        });
        expect(result.nextExpectedRevision).toBe(2n);
      });

      it('an exact revision: accepts the current one and refuses any other', async () => {
        const stream = uniqueStream('exact');
        await expectRejection(
          store().appendToStream(stream, newEvents(1), { expectedRevision: 0n }),
          WrongExpectedRevisionError,
        );
        const first = await store().appendToStream(stream, newEvents(3), { expectedRevision: 'no_stream' });
        expect(first.nextExpectedRevision).toBe(2n);

        for (const stale of [0n, 1n, 3n]) {
          const error = await expectRejection(
            store().appendToStream(stream, newEvents(1), { expectedRevision: stale }),
            WrongExpectedRevisionError,
          );
          expect(error.expected).toBe(stale);
          expect(error.actual).toBe(2n);
        }

        const second = await store().appendToStream(stream, newEvents(1), { expectedRevision: 2n });
        expect(second.nextExpectedRevision).toBe(3n);
        expect(second.position).toBeGreaterThan(first.position);
        expect((await store().readStream(stream)).map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n]);
      });

      it('any (and no option): accepts a new and an existing stream', async () => {
        const stream = uniqueStream('any');
        const first = await store().appendToStream(stream, newEvents(1), { expectedRevision: 'any' });
        expect(first.nextExpectedRevision).toBe(0n);
        const second = await store().appendToStream(stream, newEvents(1));
        expect(second.nextExpectedRevision).toBe(1n);
        const third = await store().appendToStream(stream, newEvents(1), { expectedRevision: 'any' });
        expect(third.nextExpectedRevision).toBe(2n);
      });

      it('returns the position of the last event appended', async () => {
        const stream = uniqueStream('result');
        const result = await store().appendToStream(stream, newEvents(3), { expectedRevision: 'no_stream' });
        const events = await store().readStream(stream);
        expect(events.at(-1)?.position).toBe(result.position);
      });
    });

    describe('readStream', () => {
      it('returns an empty array for a stream that does not exist', async () => {
        expect(await store().readStream(uniqueStream('missing'))).toEqual([]);
      });

      it('returns every field as appended, in revision order', async () => {
        const stream = uniqueStream('fields');
        const events = [
          newEvent('First', { a: 1, nested: { list: [1, 'two', null] } }),
          newEvent('Second', {}),
        ];
        const before = Date.now();
        await store().appendToStream(stream, events, { expectedRevision: 'no_stream' });

        const read = await store().readStream(stream);
        expect(
          read.map((event) => [event.id, event.type, event.data, event.revision, event.streamName]),
        ).toEqual([
          [events[0]?.id, 'First', { a: 1, nested: { list: [1, 'two', null] } }, 0n, stream],
          [events[1]?.id, 'Second', {}, 1n, stream],
        ]);
        expect(read[0]?.metadata).toEqual({});
        for (const event of read) {
          expect(event.createdAt).toBeInstanceOf(Date);
          expect(Math.abs(event.createdAt.getTime() - before)).toBeLessThan(60_000);
        }
        expect((read[1]?.position ?? 0n) > (read[0]?.position ?? 0n)).toBe(true);
      });

      it('honours fromRevision and maxCount', async () => {
        const stream = uniqueStream('range');
        await store().appendToStream(stream, newEvents(5), { expectedRevision: 'no_stream' });
        const revisions = async (options: { fromRevision?: bigint; maxCount?: number }): Promise<bigint[]> =>
          (await store().readStream(stream, options)).map((event) => event.revision);

        expect(await revisions({ fromRevision: 2n })).toEqual([2n, 3n, 4n]);
        expect(await revisions({ maxCount: 2 })).toEqual([0n, 1n]);
        expect(await revisions({ fromRevision: 1n, maxCount: 3 })).toEqual([1n, 2n, 3n]);
        expect(await revisions({ fromRevision: 5n })).toEqual([]);
      });

      it('round-trips metadata', async () => {
        const stream = uniqueStream('metadata');
        const metadata = {
          correlationId: randomUUID(),
          causationId: randomUUID(),
          userId: 'user-1',
          custom: { nested: [1, 2, { deep: true }] },
        };
        await store().appendToStream(stream, [
          newEvent('Before'),
          newEvent('WithMetadata', { x: 1 }, metadata),
        ]);
        const [before, event] = await store().readStream(stream);
        expect(event?.metadata).toEqual(metadata);
        // Read from the event before it: positions are opaque, `position - 1` is not one.
        const [fromAll] = await store().readAll({ after: before?.position ?? 0n, maxCount: 1 });
        expect(fromAll?.id).toBe(event?.id);
        expect(fromAll?.metadata).toEqual(metadata);
      });
    });

    describe('readAll and headPosition', () => {
      it('reads the global log in position order, after a position, at most maxCount', async () => {
        const stream = uniqueStream('all');
        await store().appendToStream(stream, newEvents(5), { expectedRevision: 'no_stream' });
        const written = await store().readStream(stream);
        const [e0, e1, e2, e3] = written;
        if (e0 === undefined || e1 === undefined || e2 === undefined || e3 === undefined)
          throw new Error('unreachable');

        // The five events of one append are adjacent in the global log.
        expect(await store().readAll({ after: e0.position, maxCount: 2 })).toEqual([e1, e2]);
        expect(await store().readAll({ after: e1.position, maxCount: 0 })).toEqual([]);
        const rest = await store().readAll({ after: e2.position });
        expect(rest.slice(0, 2)).toEqual(written.slice(3));
        for (const [index, event] of rest.entries()) {
          expect(event.position).toBeGreaterThan(
            index === 0 ? e2.position : (rest[index - 1]?.position ?? 0n),
          );
        }
        const fromStart = await store().readAll({ maxCount: 3 });
        expect(fromStart).toHaveLength(3);
        expect(fromStart[0]?.position).toBeGreaterThan(0n);
      });

      it('reports the newest position as the head', async () => {
        const stream = uniqueStream('head');
        const result = await store().appendToStream(stream, newEvents(2));
        expect(await store().headPosition()).toBe(result.position);
        expect(await store().readAll({ after: result.position })).toEqual([]);
      });
    });

    describe('idempotent appends', () => {
      it('re-appending the same events returns the original result and writes nothing', async () => {
        const stream = uniqueStream('idempotent');
        const events = newEvents(3);
        const original = await store().appendToStream(stream, events, { expectedRevision: 'no_stream' });

        // Guaranteed only with no_stream and exact revisions (EventStoreDB recognises retries
        // with `any` or `stream_exists` only from a cache): see the port.
        expect(await store().appendToStream(stream, events, { expectedRevision: 'no_stream' })).toEqual(
          original,
        );
        expect(await store().readStream(stream)).toHaveLength(3);
        expect(await store().headPosition()).toBe(original.position);
      });

      it('stays idempotent after the stream moved on, with the original expected revision', async () => {
        const stream = uniqueStream('idempotent-later');
        await store().appendToStream(stream, newEvents(1), { expectedRevision: 'no_stream' });
        const events = newEvents(2);
        const original = await store().appendToStream(stream, events, { expectedRevision: 0n });
        await store().appendToStream(stream, newEvents(2), { expectedRevision: 2n });

        expect(await store().appendToStream(stream, events, { expectedRevision: 0n })).toEqual(original);
        expect(await store().readStream(stream)).toHaveLength(5);
      });

      it('refuses a stored event id re-used in a different append', async () => {
        const stream = uniqueStream('duplicate');
        const [first, second] = newEvents(2);
        if (first === undefined || second === undefined) throw new Error('unreachable');
        await store().appendToStream(stream, [first, second], { expectedRevision: 'no_stream' });

        const error = await expectRejection(
          store().appendToStream(stream, [first, newEvent('Other')], { expectedRevision: 'no_stream' }),
          DuplicateEventIdError,
        );
        expect(error.streamName).toBe(stream);
        expect(await store().readStream(stream)).toHaveLength(2);
      });
    });

    describe('what an append must be', () => {
      it('refuses an empty append, writing nothing', async () => {
        const stream = uniqueStream('empty');
        const head = await store().headPosition();
        for (const expectedRevision of ['no_stream', 'any'] as const) {
          await expectRejection(store().appendToStream(stream, [], { expectedRevision }), TypeError);
        }
        expect(await store().readStream(stream)).toEqual([]);
        expect(await store().headPosition()).toBe(head);
      });

      it('refuses ids that are not UUIDs, and an id twice in one append, writing nothing', async () => {
        const stream = uniqueStream('ids');
        const head = await store().headPosition();
        await expectRejection(
          store().appendToStream(stream, [newEvent('Ok'), { ...newEvent('Bad'), id: 'not-a-uuid' }]),
          TypeError,
        );
        const twice = newEvent('Twice');
        const error = await expectRejection(
          store().appendToStream(stream, [
            twice,
            newEvent('Between'),
            { ...twice, id: twice.id.toUpperCase() },
          ]),
          DuplicateEventIdError,
        );
        expect(error.streamName).toBe(stream);
        expect(await store().readStream(stream)).toEqual([]);
        expect(await store().headPosition()).toBe(head);
      });

      it("refuses EventStoreDB's reserved names: $ streams and $ types", async () => {
        await expectRejection(store().appendToStream(`$${uniqueStream('system')}`, newEvents(1)), TypeError);
        await expectRejection(
          store().appendToStream(uniqueStream('system-type'), newEvents(1, '$Reserved')),
          TypeError,
        );
        await expectRejection(store().appendToStream('', newEvents(1)), TypeError);
      });
    });

    describe('positions a cursor may hold', () => {
      it('accepts 0 and positions the store returned, and refuses any other', async () => {
        const stream = uniqueStream('cursor');
        const result = await store().appendToStream(stream, newEvents(2), { expectedRevision: 'no_stream' });
        expect((await store().readAll({ after: 0n, maxCount: 1 })).length).toBe(1);
        expect(await store().readAll({ after: result.position })).toEqual([]);
        expect(await store().readAll({ after: await store().headPosition(), maxCount: 1 })).toEqual([]);

        for (const after of [-1n, BEYOND_ANY_HEAD]) {
          const error = await expectRejection(store().readAll({ after, maxCount: 1 }), InvalidPositionError);
          expect(error.position).toBe(after);
        }
      });

      it('ends a subscription from a position it never returned with InvalidPositionError', async () => {
        for (const after of [-1n, BEYOND_ANY_HEAD]) {
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), 10_000);
          try {
            const subscription = store().subscribeToAll({ after, signal: controller.signal });
            const iterator = subscription[Symbol.asyncIterator]();
            await expectRejection(iterator.next(), InvalidPositionError);
          } finally {
            clearTimeout(timer);
            controller.abort();
          }
        }
      });
    });

    describe('a deleted stream', () => {
      it.runIf(options.deletesStreams === true)(
        'can be neither read nor appended to, and leaves the log as it was',
        async () => {
          const deleteStream = subject?.deleteStream;
          if (deleteStream === undefined) throw new Error('deletesStreams needs subject.deleteStream');
          const stream = uniqueStream('deleted');
          await store().appendToStream(stream, newEvents(2), { expectedRevision: 'no_stream' });
          const head = await store().headPosition();
          await deleteStream(stream);

          const read = await expectRejection(store().readStream(stream), StreamDeletedError);
          expect(read.streamName).toBe(stream);
          const expectations: ExpectedRevision[] = ['any', 'no_stream', 1n];
          for (const expectedRevision of expectations) {
            await expectRejection(
              store().appendToStream(stream, newEvents(1), { expectedRevision }),
              StreamDeletedError,
            );
          }
          // The deletion is the store's own record, never an event of the log.
          expect(await store().headPosition()).toBe(head);
          expect(await store().readAll({ after: head })).toEqual([]);
        },
      );
    });

    describe('subscribeToAll', () => {
      it('delivers stored events, then live ones, each once and in order', async () => {
        const stream = uniqueStream('subscribe');
        const after = await store().headPosition();
        const stored = newEvents(3, 'Stored');
        await store().appendToStream(stream, stored, { expectedRevision: 'no_stream' });
        const live = newEvents(2, 'Live');

        const received = await collect(
          store(),
          { after, count: 5, accept: (event) => event.streamName === stream },
          async (_event, collected) => {
            // Appended only once the stored ones arrived, so these can only come live.
            if (collected.length === 3) await store().appendToStream(stream, live, { expectedRevision: 2n });
          },
        );

        expect(received.map((event) => event.id)).toEqual([...stored, ...live].map((event) => event.id));
        expect(received.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
        expect(received).toEqual(await store().readStream(stream));
      });

      it('starts strictly after the given position', async () => {
        const stream = uniqueStream('subscribe-after');
        await store().appendToStream(stream, newEvents(4), { expectedRevision: 'no_stream' });
        const written = await store().readStream(stream);
        const from = written[1]?.position ?? 0n;

        const received = await collect(store(), {
          after: from,
          count: 2,
          accept: (event) => event.streamName === stream,
        });
        expect(received).toEqual(written.slice(2));
      });

      it('ends the iterator when the signal aborts while waiting for live events', async () => {
        const controller = new AbortController();
        const head = await store().headPosition();
        const subscription = store().subscribeToAll({ after: head, signal: controller.signal });
        const iterator = subscription[Symbol.asyncIterator]();
        const next = iterator.next();
        setTimeout(() => controller.abort(), 200);
        const started = Date.now();
        await expect(next).resolves.toEqual({ done: true, value: undefined });
        expect(Date.now() - started).toBeLessThan(5_000);
      });

      it('ends the iterator when the signal aborts between events', async () => {
        const stream = uniqueStream('subscribe-abort');
        const after = await store().headPosition();
        await store().appendToStream(stream, newEvents(3));
        const controller = new AbortController();
        const seen: RecordedEvent[] = [];
        for await (const event of store().subscribeToAll({ after, signal: controller.signal })) {
          if (event.streamName !== stream) continue;
          seen.push(event);
          controller.abort();
        }
        expect(seen).toHaveLength(1);
      });

      it('yields nothing when the signal is already aborted', async () => {
        const iterable = store().subscribeToAll({ signal: AbortSignal.abort() });
        const seen: RecordedEvent[] = [];
        for await (const event of iterable) seen.push(event);
        expect(seen).toEqual([]);
      });
    });

    it('refuses a failed append without writing anything', async () => {
      const stream = uniqueStream('atomic');
      await store().appendToStream(stream, newEvents(1), { expectedRevision: 'no_stream' });
      const head = await store().headPosition();
      const expectations: ExpectedRevision[] = ['no_stream', 5n];
      for (const expectedRevision of expectations) {
        await expectRejection(
          store().appendToStream(stream, newEvents(2), { expectedRevision }),
          WrongExpectedRevisionError,
        );
      }
      expect(await store().readStream(stream)).toHaveLength(1);
      expect(await store().headPosition()).toBe(head);
    });
  });
}
