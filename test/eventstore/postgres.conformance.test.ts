import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore } from '../../src/eventstore/create-event-store.js';
import { DuplicateEventIdError } from '../../src/eventstore/errors.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { createPostgresEventStore } from '../../src/eventstore/postgres/index.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { describeEventStoreConformance } from './conformance.js';

describeEventStoreConformance('PostgreSQL', async () => {
  const database = await createTestDatabase('es_conformance');
  const store = await createEventStore({ url: database.url }).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  return {
    store,
    async cleanup() {
      await store.close();
      await database.drop();
    },
  };
});

/** Behaviour the PostgreSQL store promises beyond what EventStoreDB can check. */
describe('PostgreSQL event store specifics', () => {
  let database: TestDatabase | undefined;
  let store: EventStore;

  beforeAll(async () => {
    database = await createTestDatabase('es_specifics');
    store = await createPostgresEventStore({ connectionString: database.url });
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const event = (id: string = randomUUID()) => ({ id, type: 'Tested', data: {} });

  it('refuses a stored event id appended again at a new revision', async () => {
    const stored = event();
    await store.appendToStream('specifics-a', [stored]);
    await expect(store.appendToStream('specifics-a', [stored], { expectedRevision: 0n })).resolves.toEqual({
      nextExpectedRevision: 0n,
      position: 1n,
    });
    await store.appendToStream('specifics-a', [event()]);
    await expect(store.appendToStream('specifics-a', [event(), stored])).rejects.toBeInstanceOf(
      DuplicateEventIdError,
    );
    await expect(
      store.appendToStream('specifics-a', [event(), event()].reverse().concat(stored)),
    ).rejects.toBeInstanceOf(DuplicateEventIdError);
  });

  it('recognises a retry whatever the expected revision (EventStoreDB only with exact ones)', async () => {
    const events = [event(), event()];
    const original = await store.appendToStream('specifics-retry', events, { expectedRevision: 'no_stream' });
    await store.appendToStream('specifics-retry', [event()]);
    for (const expectedRevision of ['any', 'stream_exists'] as const) {
      await expect(store.appendToStream('specifics-retry', events, { expectedRevision })).resolves.toEqual(
        original,
      );
    }
    expect(await store.readStream('specifics-retry')).toHaveLength(3);
  });

  it('refuses the same id twice in one append, and accepts an id used in another stream', async () => {
    const id = randomUUID();
    await expect(store.appendToStream('specifics-b', [event(id), event(id)])).rejects.toBeInstanceOf(
      DuplicateEventIdError,
    );
    await store.appendToStream('specifics-b', [event(id)]);
    await expect(store.appendToStream('specifics-c', [event(id)])).resolves.toMatchObject({
      nextExpectedRevision: 0n,
    });
  });

  it('numbers positions 1..head without gaps, also across refused appends', async () => {
    await expect(store.appendToStream('specifics-d', [event()], { expectedRevision: 7n })).rejects.toThrow();
    await store.appendToStream('specifics-d', [event(), event()]);
    const all = await store.readAll();
    expect(all.map((recorded) => recorded.position)).toEqual(all.map((_, index) => BigInt(index + 1)));
    expect(await store.headPosition()).toBe(BigInt(all.length));
  });

  it('rejects an event id that is not a UUID before touching the database', async () => {
    await expect(store.appendToStream('specifics-e', [event('not-a-uuid')])).rejects.toBeInstanceOf(
      TypeError,
    );
  });

  it('runs its migration concurrently from several processes without error', async () => {
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => createPostgresEventStore({ connectionString: database?.url ?? '' })),
    );
    await Promise.all(stores.map((other) => other.close()));
  });

  it('commits concurrent appends from one instance together, each with its own outcome', async () => {
    const results = await Promise.allSettled([
      store.appendToStream('specifics-f', [event()], { expectedRevision: 'no_stream' }),
      store.appendToStream('specifics-f', [event()], { expectedRevision: 'no_stream' }),
      store.appendToStream('specifics-g', [event()], { expectedRevision: 'no_stream' }),
      store.appendToStream('specifics-f', [event('bad')]),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    expect(await store.readStream('specifics-f')).toHaveLength(1);
    expect(await store.readStream('specifics-g')).toHaveLength(1);
  });

  it('keeps the other appends of a batch when the server refuses one of them', async () => {
    // Past the client-side checks, but too long for the stream index: the server refuses it.
    const results = await Promise.allSettled([
      store.appendToStream('specifics-h', [event()], { expectedRevision: 'no_stream' }),
      store.appendToStream(randomBytes(6000).toString('hex'), [event()]),
      store.appendToStream('specifics-h', [event()], { expectedRevision: 0n }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.readStream('specifics-h')).toHaveLength(2);
  });
});
