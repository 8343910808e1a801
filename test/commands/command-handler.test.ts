import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AggregateCache } from '../../src/commands/aggregate-cache.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { contactLists } from '../../src/commands/aggregates.js';
import { type CommandContext } from '../../src/commands/command-handler.js';
import { contactsDecider, contactsStreamName } from '../../src/domain/contacts/contacts.js';
import { createPostgresEventStore } from '../../src/eventstore/postgres/index.js';
import { openLog, type LogReader, type LogStore } from '../../src/log.js';
import { startSharedLog } from '../../src/eventstore/shared-log.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

let db: TestDatabase;
let store: LogStore;

beforeAll(async () => {
  db = await createTestDatabase();
  store = openLog(await createPostgresEventStore({ connectionString: db.url }), console);
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

const add = (contactId: string) => ({ type: 'AddContact' as const, ownerId: 'owner', contactId, now: 'now' });

describe('the command path', () => {
  it('folds in what other processes appended after the cached state', async () => {
    const owner = `owner-${Date.now()}`;
    const stream = contactsStreamName(owner);
    const processA: CommandContext = { store, cache: new AggregateCache() };
    const processB: CommandContext = { store, cache: new AggregateCache() };
    await contactLists.handle(processA, owner, add('c1'));
    await contactLists.handle(processB, owner, add('c2'));
    // A's cached state predates c2; the tail read must bring it in.
    const outcome = await contactLists.handle(processA, owner, add('c3'));
    expect([...outcome.state.contacts].sort()).toEqual(['c1', 'c2', 'c3']);
    // Adding an existing contact decides nothing, so the cached state must already hold it.
    const again = await contactLists.handle(processA, owner, add('c2'));
    expect(again.appended).toEqual([]);
    expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0n, 1n, 2n]);
  });

  it('retries a decision after a concurrent write and loses no event', async () => {
    const owner = `race-${Date.now()}`;
    const stream = contactsStreamName(owner);
    const contexts = Array.from({ length: 8 }, () => ({ store, cache: new AggregateCache() }));
    await Promise.all(
      contexts.map((context, i) => contactLists.handle(context, owner, add(`c${i}`), { maxRetries: 20 })),
    );
    const events = await store.readStream(stream);
    expect(events.map((event) => (event.type === 'ContactAdded' ? event.data.contactId : '')).sort()).toEqual(
      contexts.map((_, i) => `c${i}`).sort(),
    );
  });

  it('keeps a refused command from changing the cached state', async () => {
    const owner = `refused-${Date.now()}`;
    const context = { store, cache: new AggregateCache() };
    await expect(
      contactLists.handle(context, owner, {
        type: 'RemoveContact',
        ownerId: 'o',
        contactId: 'x',
        now: 'n',
      }),
    ).rejects.toMatchObject({ code: 'not_a_contact' });
    const outcome = await contactLists.handle(context, owner, add('x'));
    expect(outcome.appended).toHaveLength(1);
  });
});

describe('a command built from the loaded state', () => {
  it('is built from the state just read, and built again from fresh state after a conflict', async () => {
    const owner = `built-${Date.now()}`;
    const context = { store, cache: new AggregateCache() };
    const other = { store, cache: new AggregateCache() };
    await contactLists.handle(context, owner, add('first'));
    const seen: string[][] = [];
    const outcome = await contactLists.handle(context, owner, async (state) => {
      seen.push([...state.contacts].sort());
      // On the first attempt another process writes in between, so the append conflicts.
      if (seen.length === 1) await contactLists.handle(other, owner, add('racer'));
      return add(`after-${state.contacts.size}`);
    });
    expect(seen).toEqual([['first'], ['first', 'racer']]);
    expect(outcome.appended).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ contactId: 'after-2' }) }),
    ]);
  });
});

describe('AggregateCache', () => {
  it('hands an entry to one taker at a time and evicts the least recently used', () => {
    const cache = new AggregateCache(2);
    const decider = {};
    cache.put('a', decider, { state: 1, revision: 0n, position: 1n }, undefined);
    expect(cache.take('a', decider)).toMatchObject({ state: 1 });
    expect(cache.take('a', decider)).toBeUndefined();
    cache.put('a', decider, { state: 1, revision: 0n, position: 1n }, undefined);
    cache.put('b', decider, { state: 2, revision: 0n, position: 2n }, undefined);
    cache.put('c', decider, { state: 3, revision: 0n, position: 3n }, undefined);
    expect(cache.take('a', decider)).toBeUndefined();
    expect(cache.take('c', {})).toBeUndefined();
  });
});

describe('the cache kept current by the shared log', () => {
  /** The store, counting stream reads. */
  function counting(inner: LogStore): LogStore & { reads: string[] } {
    const reads: string[] = [];
    return {
      reads,
      appendToStream: (...args) => inner.appendToStream(...args),
      readStream: (streamName, options) => {
        reads.push(streamName);
        return inner.readStream(streamName, options);
      },
      readAll: (options) => inner.readAll(options),
      headPosition: () => inner.headPosition(),
      subscribeToAll: (options) => inner.subscribeToAll(options),
      ping: () => inner.ping(),
      identity: () => inner.identity(),
      close: () => inner.close(),
    };
  }

  async function caughtUp(log: LogReader): Promise<void> {
    const head = await store.headPosition();
    while (log.position < head) await sleep(2);
  }

  it('decides and looks on a trusted state without reading the store', async () => {
    const log = await startSharedLog(store, console);
    try {
      const reading = counting(store);
      const context = { store: reading, cache: new AggregateCache(100, log) };
      const owner = `trusted-${Date.now()}`;
      const stream = contactsStreamName(owner);
      await contactLists.handle(context, owner, add('a'));
      await contactLists.handle(context, owner, add('b'));
      const state = await contactLists.state(context, owner);
      expect([...state.contacts].sort()).toEqual(['a', 'b']);
      // Only the first command read the (empty) stream.
      expect(reading.reads).toEqual([stream]);
    } finally {
      await log.stop();
    }
  });

  it('reads again once the log shows another process wrote to the stream', async () => {
    const log = await startSharedLog(store, console);
    try {
      const reading = counting(store);
      const context = { store: reading, cache: new AggregateCache(100, log) };
      const other = { store, cache: new AggregateCache() };
      const owner = `stale-${Date.now()}`;
      const stream = contactsStreamName(owner);
      await contactLists.handle(context, owner, add('mine'));
      await contactLists.handle(other, owner, add('theirs'));
      await caughtUp(log);
      const state = await contactLists.state(context, owner);
      expect([...state.contacts].sort()).toEqual(['mine', 'theirs']);
      expect(reading.reads).toEqual([stream, stream]);
      // Trusted again: no further read.
      await contactLists.state(context, owner);
      expect(reading.reads).toHaveLength(2);
    } finally {
      await log.stop();
    }
  });

  it('does not trust a state when the log saw a newer event of the stream while it was read', async () => {
    const log = await startSharedLog(store, console);
    try {
      const owner = `raced-${Date.now()}`;
      const stream = contactsStreamName(owner);
      const other = { store, cache: new AggregateCache() };
      const cache = new AggregateCache(100, log);
      const mark = cache.readMark;
      // Read at revision 0, but by the time the state is kept the log has taken in revision 1.
      await contactLists.handle(other, owner, add('first'));
      const [first] = await store.readStream(stream);
      await contactLists.handle(other, owner, add('second'));
      await caughtUp(log);
      cache.put(stream, contactsDecider, { state: {}, revision: 0n, position: first!.position }, mark);
      expect(cache.peek(stream, contactsDecider)).toMatchObject({ trusted: false });
      cache.put(stream, contactsDecider, { state: {}, revision: 1n, position: first!.position + 1n }, mark);
      expect(cache.peek(stream, contactsDecider)).toMatchObject({ trusted: true });
    } finally {
      await log.stop();
    }
  });

  it('recovers from a stale trusted state through the revision check', async () => {
    const log = await startSharedLog(store, console);
    try {
      const context = { store, cache: new AggregateCache(100, log) };
      const other = { store, cache: new AggregateCache() };
      const owner = `conflict-${Date.now()}`;
      const stream = contactsStreamName(owner);
      await contactLists.handle(context, owner, add('mine'));
      await log.stop(); // the log stops seeing anything: the entry stays trusted but stale
      await contactLists.handle(other, owner, add('theirs'));
      const outcome = await contactLists.handle(context, owner, add('later'));
      expect([...outcome.state.contacts].sort()).toEqual(['later', 'mine', 'theirs']);
      expect(await store.readStream(stream)).toHaveLength(3);
    } finally {
      await log.stop();
    }
  });
});

describe('StreamLocks', () => {
  it('lets concurrent commands on one stream in one process succeed without conflicts', async () => {
    const { StreamLocks } = await import('../../src/commands/stream-locks.js');
    const owner = `queued-${Date.now()}`;
    const stream = contactsStreamName(owner);
    const context = { store, cache: new AggregateCache(), locks: new StreamLocks() };
    // With no retries allowed, only queueing can make all 30 succeed.
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        contactLists.handle(context, owner, add(`q${i}`), { maxRetries: 0 }),
      ),
    );
    expect(await store.readStream(stream)).toHaveLength(30);
    expect(context.locks.busy).toBe(0);
  });
});
