import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../src/eventstore/port.js';
import { createPostgresEventStore } from '../../src/eventstore/postgres/index.js';
import { createMetrics, registerLogGauges } from '../../src/http/metrics.js';
import { setCheckpoint } from '../../src/read-models/checkpoints.js';
import { migrateReadModels } from '../../src/read-models/migrations.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

/** The lag a dashboard shows is a count of events, on either store: never head − checkpoint. */
describe('the projection lag metric', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: EventStore;

  beforeAll(async () => {
    database = await createTestDatabase('lag_metric');
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    await migrateReadModels(pool);
    store = await createPostgresEventStore({ connectionString: database.url });
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  it('counts the events after each checkpoint, and leaves out one the store refuses', async () => {
    const events = Array.from({ length: 3 }, () => ({ id: randomUUID(), type: 'Tested', data: {} }));
    const first = await store.appendToStream('lag-a', events.slice(0, 1));
    const last = await store.appendToStream('lag-b', events.slice(1));
    await setCheckpoint(pool, 'behind', first.position);
    await setCheckpoint(pool, 'caught-up', last.position);
    await setCheckpoint(pool, 'fresh', 0n);
    await setCheckpoint(pool, 'other-store', 2n ** 62n);
    const metrics = createMetrics();
    registerLogGauges(metrics, { store, pool });
    const text = await metrics.registry.metrics();

    expect(text).toMatch(/chat_projection_lag_events\{projection="behind"\} 2\n/);
    expect(text).toMatch(/chat_projection_lag_events\{projection="caught-up"\} 0\n/);
    expect(text).toMatch(/chat_projection_lag_events\{projection="fresh"\} 3\n/);
    expect(text).not.toMatch(/chat_projection_lag_events\{projection="other-store"\}/);
  });
});
