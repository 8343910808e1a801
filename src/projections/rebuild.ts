import type { LogStore } from '../log.js';
import type pg from 'pg';
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
  deps: { store: LogStore; pool: pg.Pool; batchSize?: number },
): Promise<bigint> {
  const batchSize = deps.batchSize ?? 5000;
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
    return position;
  });
}
