import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, RecordedEvent } from '../../src/eventstore/port.js';
import { createPostgresEventStore } from '../../src/eventstore/postgres/index.js';
import { startSharedLog, type SharedLog } from '../../src/eventstore/shared-log.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

let database: TestDatabase;
let store: EventStore;

beforeAll(async () => {
  database = await createTestDatabase('shared_log');
  store = await createPostgresEventStore({ connectionString: database.url });
});
afterAll(async () => {
  await store?.close();
  await database?.drop();
});

const silent = { warn: () => undefined, error: () => undefined };

async function appendEvents(count: number, stream = `s-${randomUUID()}`): Promise<bigint> {
  let last = 0n;
  for (let i = 0; i < count; i++) {
    ({ position: last } = await store.appendToStream(stream, [{ id: randomUUID(), type: 'T', data: { i } }]));
  }
  return last;
}

/** Collects what a consumer gets until it has seen `until`. */
async function consume(log: SharedLog, after: bigint, until: bigint): Promise<RecordedEvent[][]> {
  const controller = new AbortController();
  const batches: RecordedEvent[][] = [];
  for await (const batch of log.batches(after, controller.signal)) {
    batches.push([...batch]);
    if (batch.at(-1)!.position >= until) controller.abort();
  }
  return batches;
}

describe('the shared log', () => {
  it('serves a consumer from before its start, then live, every event once and in order', async () => {
    const start = await store.headPosition();
    await appendEvents(30);
    const log = await startSharedLog(store, silent, { maxBatchSize: 7 });
    try {
      const live = appendEvents(40);
      const batches = await consume(log, start, start + 70n);
      await live;
      const positions = batches.flat().map((event) => event.position);
      expect(positions).toEqual(Array.from({ length: 70 }, (_, i) => start + BigInt(i + 1)));
      expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(7);
    } finally {
      await log.stop();
    }
  });

  it('lets consumers that fell behind its window read the store, and forgets evicted streams', async () => {
    const log = await startSharedLog(store, silent, { windowSize: 10 });
    try {
      const start = log.position;
      const stream = `old-${randomUUID()}`;
      await appendEvents(1, stream);
      const head = await appendEvents(50);
      await consume(log, head - 1n, head);
      expect(log.covers(start)).toBe(false);
      expect(log.covers(head - 5n)).toBe(true);
      expect(log.newestRevisionSeen(stream)).toBeUndefined();
      const everything = (await consume(log, start, head)).flat();
      expect(everything.map((event) => event.position)).toEqual(
        Array.from({ length: 51 }, (_, i) => start + BigInt(i + 1)),
      );
    } finally {
      await log.stop();
    }
  });

  it('tells observers of every event first, and knows each stream’s newest revision', async () => {
    const log = await startSharedLog(store, silent);
    const observed: bigint[] = [];
    log.observe((event) => observed.push(event.position));
    try {
      const stream = `seen-${randomUUID()}`;
      const head = await appendEvents(3, stream);
      await consume(log, head - 1n, head);
      expect(observed).toEqual([head - 2n, head - 1n, head]);
      expect(log.newestRevisionSeen(stream)).toBe(2n);
    } finally {
      await log.stop();
    }
  });

  it('ends its consumers when stopped', async () => {
    const log = await startSharedLog(store, silent);
    const consuming = consume(log, log.position, 1n << 60n);
    await log.stop();
    await expect(consuming).resolves.toEqual([]);
  });
});
