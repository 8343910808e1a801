import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AggregateCache } from '../../src/commands/aggregate-cache.js';
import { handleCommand, handleCommandFrom, type CommandContext } from '../../src/commands/handle-command.js';
import { contactsDecider, contactsStreamName } from '../../src/domain/contacts/contacts.js';
import { createPostgresEventStore } from '../../src/eventstore/postgres/index.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

let db: TestDatabase;
let store: EventStore;

beforeAll(async () => {
  db = await createTestDatabase();
  store = await createPostgresEventStore({ connectionString: db.url });
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

const add = (contactId: string) => ({ type: 'AddContact' as const, ownerId: 'owner', contactId, now: 'now' });

describe('the command path', () => {
  it('folds in what other processes appended after the cached state', async () => {
    const stream = contactsStreamName(`owner-${Date.now()}`);
    const processA: CommandContext = { store, cache: new AggregateCache() };
    const processB: CommandContext = { store, cache: new AggregateCache() };
    await handleCommand(processA, stream, contactsDecider, add('c1'));
    await handleCommand(processB, stream, contactsDecider, add('c2'));
    // A's cached state predates c2; the tail read must bring it in.
    const outcome = await handleCommand(processA, stream, contactsDecider, add('c3'));
    expect([...outcome.state.contacts].sort()).toEqual(['c1', 'c2', 'c3']);
    // Adding an existing contact decides nothing, so the cached state must already hold it.
    const again = await handleCommand(processA, stream, contactsDecider, add('c2'));
    expect(again.appended).toEqual([]);
    expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0n, 1n, 2n]);
  });

  it('retries a decision after a concurrent write and loses no event', async () => {
    const stream = contactsStreamName(`race-${Date.now()}`);
    const contexts = Array.from({ length: 8 }, () => ({ store, cache: new AggregateCache() }));
    await Promise.all(
      contexts.map((context, i) =>
        handleCommand(context, stream, contactsDecider, add(`c${i}`), { maxRetries: 20 }),
      ),
    );
    const events = await store.readStream(stream);
    expect(events.map((event) => event.data.contactId).sort()).toEqual(
      contexts.map((_, i) => `c${i}`).sort(),
    );
  });

  it('keeps a refused command from changing the cached state', async () => {
    const stream = contactsStreamName(`refused-${Date.now()}`);
    const context = { store, cache: new AggregateCache() };
    await expect(
      handleCommand(context, stream, contactsDecider, {
        type: 'RemoveContact',
        ownerId: 'o',
        contactId: 'x',
        now: 'n',
      }),
    ).rejects.toMatchObject({ code: 'not_a_contact' });
    const outcome = await handleCommand(context, stream, contactsDecider, add('x'));
    expect(outcome.appended).toHaveLength(1);
  });
});

describe('a command built from the loaded state', () => {
  it('is built from the state just read, and built again from fresh state after a conflict', async () => {
    const stream = contactsStreamName(`built-${Date.now()}`);
    const context = { store, cache: new AggregateCache() };
    const other = { store, cache: new AggregateCache() };
    await handleCommand(context, stream, contactsDecider, add('first'));
    const seen: string[][] = [];
    const outcome = await handleCommandFrom(context, stream, contactsDecider, async (state) => {
      seen.push([...state.contacts].sort());
      // On the first attempt another process writes in between, so the append conflicts.
      if (seen.length === 1) await handleCommand(other, stream, contactsDecider, add('racer'));
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
    cache.put('a', decider, { state: 1, revision: 0n, position: 1n });
    expect(cache.take('a', decider)).toMatchObject({ state: 1 });
    expect(cache.take('a', decider)).toBeUndefined();
    cache.put('a', decider, { state: 1, revision: 0n, position: 1n });
    cache.put('b', decider, { state: 2, revision: 0n, position: 2n });
    cache.put('c', decider, { state: 3, revision: 0n, position: 3n });
    expect(cache.take('a', decider)).toBeUndefined();
    expect(cache.take('c', {})).toBeUndefined();
  });
});

describe('StreamLocks', () => {
  it('lets concurrent commands on one stream in one process succeed without conflicts', async () => {
    const { StreamLocks } = await import('../../src/commands/stream-locks.js');
    const stream = contactsStreamName(`queued-${Date.now()}`);
    const context = { store, cache: new AggregateCache(), locks: new StreamLocks() };
    // With no retries allowed, only queueing can make all 30 succeed.
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        handleCommand(context, stream, contactsDecider, add(`q${i}`), { maxRetries: 0 }),
      ),
    );
    expect(await store.readStream(stream)).toHaveLength(30);
    expect(context.locks.busy).toBe(0);
  });
});
