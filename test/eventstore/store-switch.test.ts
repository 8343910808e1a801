import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../src/eventstore/port.js';
import { createPostgresEventStore } from '../../src/eventstore/postgres/index.js';
import { projectionsFromOtherStores } from '../../src/eventstore/store-identity.js';
import { allProjections, projectionNamed } from '../../src/projections/all-projections.js';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import { checkpointPosition } from '../../src/read-models/checkpoints.js';
import { migrateReadModels } from '../../src/read-models/migrations.js';
import { openLog } from '../../src/log.js';
import { startSystem } from '../../src/system.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { testConfig } from '../support/system.js';

const NAMES = allProjections.map((projection) => projection.name).sort();
const STALE_MESSAGE = 'projections built from another event store are not started';

interface LogLine {
  readonly msg: string;
  readonly projections?: string[];
}

/** Read models in one database; two event stores, each in a database of its own. */
describe('switching event stores', () => {
  let readModels: TestDatabase;
  let firstLog: TestDatabase;
  let secondLog: TestDatabase;
  let pool: pg.Pool;
  let first: EventStore;
  let second: EventStore;

  beforeAll(async () => {
    [readModels, firstLog, secondLog] = await Promise.all([
      createTestDatabase('switch_read'),
      createTestDatabase('switch_log_a'),
      createTestDatabase('switch_log_b'),
    ]);
    pool = new pg.Pool({ connectionString: readModels.url, max: 4 });
    await migrateReadModels(pool);
    first = await createPostgresEventStore({ connectionString: firstLog.url });
    second = await createPostgresEventStore({ connectionString: secondLog.url });
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await pool?.end();
    await Promise.all([readModels, firstLog, secondLog].map((database) => database?.drop()));
  });

  /** Starts only the projections role (and any `extraRoles`) against `eventStoreUrl`, logging into `logs`. */
  async function startProjections(eventStoreUrl: string, logs: LogLine[], extraRoles = '') {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n'))
          if (line) logs.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    const config = testConfig(readModels.url, {
      EVENTSTORE_URL: eventStoreUrl,
      ROLES: `projections${extraRoles}`,
    });
    return startSystem(config, pino({ level: 'info' }, sink));
  }

  const checkpoint = (name: string) => checkpointPosition(pool, name);

  async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  }

  /** An event of the catalog (one the log boundary can read, so every checkpoint moves past it). */
  const appendOne = (store: EventStore) =>
    store.appendToStream(`contacts-${randomUUID()}`, [
      {
        id: randomUUID(),
        type: 'ContactAdded',
        data: { ownerId: randomUUID(), contactId: randomUUID(), addedAt: new Date().toISOString() },
      },
    ]);

  it('each store has an identity of its own, the same from every instance', async () => {
    const again = await createPostgresEventStore({ connectionString: firstLog.url });
    try {
      expect(await again.identity()).toEqual(await first.identity());
    } finally {
      await again.close();
    }
    expect((await first.identity()).kind).toBe('postgresql');
    expect((await second.identity()).id).not.toBe((await first.identity()).id);
  });

  it('keeps projections built from another store stopped until each is rebuilt', async () => {
    // Built from the first store: every checkpoint moves past its head.
    const logs: LogLine[] = [];
    const onFirst = await startProjections(firstLog.url, logs);
    const { position } = await appendOne(first);
    await until(async () => (await checkpoint('users')) >= position, 'the projectors on the first store');
    await onFirst.stop();
    expect(logs.some((line) => line.msg.startsWith(STALE_MESSAGE))).toBe(false);

    // Switched to the second: nothing starts, and the operator is told what to rebuild.
    const switched: LogLine[] = [];
    const onSecond = await startProjections(secondLog.url, switched, ',read-api');
    try {
      // Readiness says why, in words anyone may read.
      const ready = await fetch(`http://127.0.0.1:${onSecond.httpPort}/health/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: { projections: unknown } }).checks.projections).toEqual({
        ok: false,
        detail: 'a checkpoint is not a position of this event store: rebuild the projections',
      });
    } finally {
      await onSecond.stop();
    }
    expect(switched.find((line) => line.msg.startsWith(STALE_MESSAGE))?.projections?.sort()).toEqual(NAMES);
    expect(await projectionsFromOtherStores(pool, NAMES, await second.identity())).toEqual(NAMES);

    // One rebuilt: that one runs on the second store, the others still wait.
    const users = projectionNamed('users');
    if (users === undefined) throw new Error('no users projection');
    await rebuildProjection(users, { store: openLog(second, console), pool });
    const rebuilt: LogLine[] = [];
    const again = await startProjections(secondLog.url, rebuilt);
    try {
      const appended = await appendOne(second);
      await until(async () => (await checkpoint('users')) === appended.position, 'the rebuilt projector');
      expect(rebuilt.find((line) => line.msg.startsWith(STALE_MESSAGE))?.projections?.sort()).toEqual(
        NAMES.filter((name) => name !== 'users'),
      );
    } finally {
      await again.stop();
    }
  });
});
