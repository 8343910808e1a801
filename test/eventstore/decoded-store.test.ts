import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, UndecodableEventError } from '../../src/eventstore/decoded-store.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { createPostgresEventStore } from '../../src/eventstore/postgres/index.js';
import { openLog, type LogStore } from '../../src/log.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

/** A logger that keeps what it is told, to check what is reported (and that no data is). */
function keepingLogger() {
  const lines: { context: Record<string, unknown>; message: string }[] = [];
  const keep = (context: Record<string, unknown>, message: string) => void lines.push({ context, message });
  return { lines, warn: keep, error: keep };
}

let db: TestDatabase;
let raw: EventStore;
let logger: ReturnType<typeof keepingLogger>;
let log: LogStore;

beforeAll(async () => {
  db = await createTestDatabase('decoded_store');
  raw = await createPostgresEventStore({ connectionString: db.url });
  logger = keepingLogger();
  log = openLog(raw, logger);
});
afterAll(async () => {
  await raw?.close();
  await db?.drop();
});

/** A registration as version 1 wrote it: no message policy, and no version in its metadata. */
const registeredV1 = (userId: string) => ({
  id: randomUUID(),
  type: 'UserRegistered',
  data: {
    userId,
    username: `u${userId.slice(0, 8)}`,
    email: `${userId}@example.com`,
    displayName: 'Old Timer',
    passwordHash: '$2b$04$hash',
    registeredAt: '2025-01-01T00:00:00.000Z',
  },
});

describe('the log boundary', () => {
  it('reads an old-version event back upcast, from a stream, from the log and live', async () => {
    const userId = randomUUID();
    const stream = `user-${userId}`;
    const before = await raw.headPosition();
    const subscription = new AbortController();
    const live = log.subscribeToAll({ after: before, signal: subscription.signal })[Symbol.asyncIterator]();
    await raw.appendToStream(stream, [registeredV1(userId)], { expectedRevision: 'no_stream' });

    const [fromStream] = await log.readStream(stream);
    const [fromLog] = await log.readAll({ after: before });
    const fromLive = (await live.next()).value;
    subscription.abort();
    for (const event of [fromStream, fromLog, fromLive]) {
      expect(event?.type).toBe('UserRegistered');
      expect(event?.data).toMatchObject({ userId, displayName: 'Old Timer', messagePolicy: 'everyone' });
    }
  });

  it('stores new events with their version, and refuses one that fails its schema, writing nothing', async () => {
    const ownerId = randomUUID();
    const stream = `contacts-${ownerId}`;
    await log.appendToStream(stream, [
      { id: randomUUID(), type: 'ContactAdded', data: { ownerId, contactId: 'c', addedAt: 'now' } },
    ]);
    const [stored] = await raw.readStream(stream);
    expect(stored?.metadata[SCHEMA_VERSION]).toBe(1);
    const bad = { id: randomUUID(), type: 'ContactAdded', data: { ownerId, contactId: 7 } } as never;
    await expect(log.appendToStream(stream, [bad])).rejects.toThrow(TypeError);
    expect(await raw.readStream(stream)).toHaveLength(1);
  });

  it('passes over an event of the log it cannot read, saying so without its data, and goes on', async () => {
    const before = await raw.headPosition();
    await raw.appendToStream(`other-${randomUUID()}`, [
      { id: randomUUID(), type: 'SomethingElse', data: { secret: 'do not log me' } },
    ]);
    const userId = randomUUID();
    await raw.appendToStream(`user-${userId}`, [registeredV1(userId)]);
    const events = await log.readAll({ after: before });
    expect(events.map((event) => event.type)).toEqual(['UserRegistered']);
    const reported = logger.lines.find((line) => line.context.type === 'SomethingElse');
    expect(reported?.message).toMatch(/passed over/);
    expect(JSON.stringify(reported)).not.toContain('do not log me');
  });

  it('does not mistake a page of unreadable events for the end of the log', async () => {
    const before = await raw.headPosition();
    await raw.appendToStream(
      `other-${randomUUID()}`,
      Array.from({ length: 5 }, () => ({ id: randomUUID(), type: 'SomethingElse', data: {} })),
    );
    const userId = randomUUID();
    await raw.appendToStream(`user-${userId}`, [registeredV1(userId)]);
    const events = await log.readAll({ after: before, maxCount: 2 });
    expect(events.map((event) => event.type)).toEqual(['UserRegistered']);
  });

  it('refuses a stream holding an event it cannot read: no decision on a partial state', async () => {
    const userId = randomUUID();
    const stream = `user-${userId}`;
    await raw.appendToStream(stream, [{ ...registeredV1(userId), metadata: { [SCHEMA_VERSION]: 9 } }]);
    await expect(log.readStream(stream)).rejects.toThrow(UndecodableEventError);
  });
});
