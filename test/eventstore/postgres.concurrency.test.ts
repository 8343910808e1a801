import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WrongExpectedRevisionError } from '../../src/eventstore/errors.js';
import type { EventStore, EventStoreLogger, NewEvent, RecordedEvent } from '../../src/eventstore/port.js';
import { createPostgresEventStore } from '../../src/eventstore/postgres/index.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const WRITERS = 8;
const EVENTS_PER_WRITER = 500;
const SHARED_STREAMS = 3;

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs a subscription in the background, collecting what it delivers until `stop()`. */
function startSubscriber(store: EventStore, after?: bigint) {
  const controller = new AbortController();
  const received: RecordedEvent[] = [];
  const done = (async () => {
    for await (const event of store.subscribeToAll({ after, signal: controller.signal }))
      received.push(event);
  })();
  return {
    received,
    async stop(): Promise<void> {
      controller.abort();
      await done;
    },
  };
}

/**
 * One writer: EVENTS_PER_WRITER events in batches of 1-4, alternating between its own stream
 * (exact expected revisions) and the shared streams (expected revisions from what it last saw,
 * retrying on conflict with the actual revision). Returns the ids it committed, in order.
 */
async function runWriter(store: EventStore, writer: number): Promise<string[]> {
  const committed: string[] = [];
  const known = new Map<string, bigint | undefined>();
  const own = `own-${writer}`;
  let ownRevision: bigint | undefined;
  for (let batch = 0; committed.length < EVENTS_PER_WRITER; batch += 1) {
    const size = Math.min(1 + (batch % 4), EVENTS_PER_WRITER - committed.length);
    const events: NewEvent[] = Array.from({ length: size }, (_, index) => ({
      id: randomUUID(),
      type: 'Written',
      data: { writer, sequence: committed.length + index },
    }));
    if (batch % 2 === 1) {
      const result = await store.appendToStream(own, events, {
        expectedRevision: ownRevision === undefined ? 'no_stream' : batch % 6 === 1 ? 'any' : ownRevision,
      });
      ownRevision = result.nextExpectedRevision;
    } else {
      const stream = `shared-${(writer + batch) % SHARED_STREAMS}`;
      for (let attempt = 1; ; attempt += 1) {
        const revision = known.get(stream);
        try {
          const result = await store.appendToStream(stream, events, {
            expectedRevision: revision === undefined ? 'no_stream' : revision,
          });
          known.set(stream, result.nextExpectedRevision);
          break;
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError) || attempt > 200) throw error;
          known.set(stream, error.actual === 'no_stream' ? undefined : error.actual);
        }
      }
    }
    committed.push(...events.map((event) => event.id));
  }
  return committed;
}

describe('PostgreSQL event store under concurrent writers', () => {
  let database: TestDatabase | undefined;
  const url = (): string => {
    if (database === undefined) throw new Error('no database');
    return database.url;
  };

  beforeAll(async () => {
    database = await createTestDatabase('es_concurrency');
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('delivers every committed event exactly once, in commit order, to a subscriber running throughout', async () => {
    const reader = await createPostgresEventStore({ connectionString: url() });
    // One store per writer, each with its own pool: truly concurrent transactions.
    const writers = await Promise.all(
      Array.from({ length: WRITERS }, () =>
        createPostgresEventStore({ connectionString: url(), poolSize: 2 }),
      ),
    );
    const subscriber = startSubscriber(reader);
    // A subscriber on a writer's own instance takes that writer's events from memory and the
    // others' from the table: it must see exactly the same log.
    const onWriter = startSubscriber(writers[0]!);
    try {
      const committed = await Promise.all(writers.map((store, writer) => runWriter(store, writer)));
      const deliveredWhileWriting = subscriber.received.length;
      const head = await reader.headPosition();
      await waitUntil(() => subscriber.received.at(-1)?.position === head, 15_000);
      await waitUntil(() => onWriter.received.at(-1)?.position === head, 15_000);
      await subscriber.stop();
      await onWriter.stop();
      expect(onWriter.received).toEqual(subscriber.received);

      const received = subscriber.received;
      const total = WRITERS * EVENTS_PER_WRITER;
      expect(deliveredWhileWriting).toBeGreaterThan(0);
      expect(head).toBe(BigInt(total));
      // Exactly once, gap-free, strictly increasing.
      expect(received.map((event) => event.position)).toEqual(received.map((_, index) => BigInt(index + 1)));
      expect(new Set(received.map((event) => event.id)).size).toBe(total);
      expect(new Set(received.map((event) => event.id))).toEqual(new Set(committed.flat()));
      // The same log a reader sees afterwards.
      expect(received).toEqual(await reader.readAll());

      // Each stream in revision order, each writer's events in the order it wrote them.
      const nextRevision = new Map<string, bigint>();
      const nextSequence = new Map<unknown, number>();
      for (const event of received) {
        expect(event.revision).toBe(nextRevision.get(event.streamName) ?? 0n);
        nextRevision.set(event.streamName, event.revision + 1n);
        const { writer, sequence } = event.data;
        expect(sequence).toBe(nextSequence.get(writer) ?? 0);
        nextSequence.set(writer, Number(sequence) + 1);
      }
      for (const [writer, ids] of committed.entries()) {
        const own = received.filter((event) => event.data.writer === writer).map((event) => event.id);
        expect(own).toEqual(ids);
      }
    } finally {
      await subscriber.stop();
      await onWriter.stop();
      await Promise.all([reader, ...writers].map((store) => store.close()));
    }
  }, 60_000);

  it('still delivers when no notification ever arrives, by the fallback poll', async () => {
    const writer = await createPostgresEventStore({ connectionString: url() });
    const reader = await createPostgresEventStore({
      connectionString: url(),
      listen: false,
      pollIntervalMs: 250,
    });
    const after = await writer.headPosition();
    const subscriber = startSubscriber(reader, after);
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const result = await writer.appendToStream(`fallback-${randomUUID()}`, [
        { id: randomUUID(), type: 'Polled', data: {} },
        { id: randomUUID(), type: 'Polled', data: {} },
      ]);
      await waitUntil(() => subscriber.received.at(-1)?.position === result.position, 3_000);
      expect(subscriber.received.map((event) => event.type)).toEqual(['Polled', 'Polled']);
    } finally {
      await subscriber.stop();
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it('recovers when its listening connection is killed', async () => {
    const warnings: string[] = [];
    const logger: EventStoreLogger = {
      warn: (_context, message) => warnings.push(message),
      error: (_context, message) => warnings.push(message),
    };
    const admin = new pg.Client({ connectionString: url() });
    await admin.connect();
    const store = await createPostgresEventStore({ connectionString: url(), logger });
    const listeners = async (): Promise<number[]> =>
      (
        await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND query ILIKE 'LISTEN %' AND pid <> pg_backend_pid()`,
        )
      ).rows.map((row) => row.pid);
    const append = (type: string) =>
      store.appendToStream(`killed-${randomUUID()}`, [{ id: randomUUID(), type, data: {} }]);
    const subscriber = startSubscriber(store, await store.headPosition());
    try {
      const first = await append('BeforeKill');
      await waitUntil(() => subscriber.received.at(-1)?.position === first.position, 3_000);
      await waitUntil(async () => (await listeners()).length === 1, 3_000);
      const [killed] = await listeners();
      await admin.query('SELECT pg_terminate_backend($1)', [killed]);

      const second = await append('AfterKill');
      await waitUntil(() => subscriber.received.at(-1)?.position === second.position, 5_000);
      await waitUntil(async () => {
        const now = await listeners();
        return now.length === 1 && now[0] !== killed;
      }, 5_000);
      const third = await append('AfterReconnect');
      await waitUntil(() => subscriber.received.at(-1)?.position === third.position, 5_000);

      expect(subscriber.received.map((event) => event.type)).toEqual([
        'BeforeKill',
        'AfterKill',
        'AfterReconnect',
      ]);
      expect(
        warnings.some((message) =>
          message.includes('notification listener (subscriptions poll meanwhile): connection lost'),
        ),
      ).toBe(true);
    } finally {
      await subscriber.stop();
      await store.close();
      await admin.end();
    }
    // The listening connection goes when the store closes.
    const after = new pg.Client({ connectionString: url() });
    await after.connect();
    try {
      const { rows } = await after.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN %'`,
      );
      expect(rows).toEqual([]);
    } finally {
      await after.end();
    }
  });
});
