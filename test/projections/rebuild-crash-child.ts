/*
 * Run by rebuild-resume.test.ts as a process of its own: rebuilds the history projection in batches
 * of BATCH_SIZE and, in the middle of batch HANG_AT_BATCH (its transaction open, some of its rows
 * written), prints "hanging" and waits to be killed with SIGKILL.
 */
import pg from 'pg';
import { createPostgresEventStore } from '../../src/eventstore/postgres/index.js';
import { openLog } from '../../src/log.js';
import { openPersonalDataKeys } from '../../src/platform/personal-data-keys.js';
import { loadConfig } from '../../src/platform/config.js';
import { historyProjection } from '../../src/read-models/history/projection.js';
import type { Projection } from '../../src/read-models/projection.js';
import { rebuildProjection } from '../../src/projections/rebuild.js';

const url = process.env.DATABASE_URL!;
const hangAt = Number(process.env.HANG_AT_BATCH);
const pool = new pg.Pool({ connectionString: url, max: 3 });
// The test system's master key (derived from its JWT_SECRET) opens the message bodies it sealed.
const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, JWT_SECRET: process.env.JWT_SECRET });
const keys = await openPersonalDataKeys(pool, config.personalDataMasterKey);
const store = openLog(await createPostgresEventStore({ connectionString: url }), console, keys);
let batches = 0;
const hanging: Projection = {
  ...historyProjection,
  async applyBatch(client, events) {
    await historyProjection.applyBatch(client, events);
    if (++batches === hangAt) {
      process.stdout.write('hanging\n');
      await new Promise(() => undefined);
    }
  },
};
await rebuildProjection(hanging, { store, pool, batchSize: Number(process.env.BATCH_SIZE) });
process.stdout.write('finished\n');
process.exit(0);
