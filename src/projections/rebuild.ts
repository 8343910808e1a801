import type pg from 'pg';
import type { EventStore } from '../eventstore/port.js';
import { migrateStoreIdentity, recordProjectionStore } from '../eventstore/store-identity.js';
import { inTransaction } from '../platform/transactions.js';
import { applyPast, lockCheckpoint, saveCheckpoint } from './apply-batch.js';
import type { Projection } from './projection.js';

/**
 * Replays the whole log into one projection in a single transaction: readers keep seeing the old
 * read model until the new one commits, and a running projector waits on the checkpoint row, then
 * carries on from the rebuilt position.
 */
export async function rebuildProjection(
  projection: Projection,
  deps: { store: EventStore; pool: pg.Pool; batchSize?: number },
): Promise<bigint> {
  const batchSize = deps.batchSize ?? 5000;
  const identity = await deps.store.identity();
  await migrateStoreIdentity(deps.pool);
  return inTransaction(deps.pool, async (client) => {
    await lockCheckpoint(client, projection.name);
    for (const table of projection.tables) await client.query(`DELETE FROM ${table}`);
    let position = 0n;
    for (;;) {
      const events = await deps.store.readAll({ after: position, maxCount: batchSize });
      if (events.length === 0) break;
      position = await applyPast(client, projection, position, events);
    }
    await saveCheckpoint(client, projection.name, position);
    // Built from this store now, whichever built it before (see store-identity.ts).
    await recordProjectionStore(client, projection.name, identity);
    return position;
  });
}
