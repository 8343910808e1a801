import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { catalogCodec } from '../../src/domain/catalog.js';
import type { LoggedEvent } from '../../src/log.js';
import { applyPast } from '../../src/projections/apply-batch.js';
import type { Projection } from '../../src/read-models/projection.js';
import { migrateReadModels } from '../../src/read-models/migrations.js';
import { inTransaction } from '../../src/platform/transactions.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

/** A read-model database for projection specifications: given events, then rows. */
export interface ProjectionDb {
  readonly pool: pg.Pool;
  /** Applies the events in batches of `batchSize` (default: all in one), each in its own transaction. */
  apply(projection: Projection, events: readonly LoggedEvent[], batchSize?: number): Promise<void>;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** Empties the projection's tables. */
  reset(projection: Projection): Promise<void>;
  close(): Promise<void>;
}

export async function projectionDb(): Promise<ProjectionDb> {
  const database: TestDatabase = await createTestDatabase('projection_spec');
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  await migrateReadModels(pool);
  return {
    pool,
    async apply(projection, events, batchSize = events.length) {
      for (let start = 0; start < events.length; start += Math.max(batchSize, 1)) {
        const batch = events.slice(start, start + Math.max(batchSize, 1));
        await inTransaction(pool, (client) => applyPast(client, projection, 0n, batch));
      }
    },
    async rows(sql) {
      return (await pool.query(sql)).rows;
    },
    async reset(projection) {
      for (const table of projection.tables) await pool.query(`DELETE FROM ${table}`);
    },
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

/**
 * Numbers events as a log would, from position 1, decoding each as the log boundary does (at the
 * version given, default the first): a fixture that does not match its schema fails here.
 */
export function recorded(events: readonly { type: string; data: object; version?: number }[]): LoggedEvent[] {
  return events.map((fixture, index) => {
    const decoding = catalogCodec.decode(fixture.type, fixture.data, fixture.version ?? 1);
    if ('refused' in decoding) throw new TypeError(`fixture ${index}: ${decoding.refused}`);
    return {
      ...decoding.event,
      id: randomUUID(),
      streamName: 'spec',
      revision: BigInt(index),
      position: BigInt(index + 1),
      metadata: {},
      createdAt: new Date(0),
    };
  });
}

/** A small deterministic random source, so a failing generated log can be reproduced. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
