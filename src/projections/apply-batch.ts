import type { LoggedEvent } from '../log.js';
import type pg from 'pg';
import type { Projection } from '../read-models/projection.js';

/**
 * Applies the events of `batch` past `checkpoint` that the projection handles, within the caller's
 * transaction, and returns the position the checkpoint should move to (the batch's last).
 */
export async function applyPast(
  client: pg.ClientBase,
  projection: Projection,
  checkpoint: bigint,
  batch: readonly LoggedEvent[],
): Promise<bigint> {
  const events = batch.filter((event) => event.position > checkpoint && projection.handles.has(event.type));
  if (events.length > 0) await projection.applyBatch(client, events);
  const last = batch.at(-1)?.position ?? checkpoint;
  return last > checkpoint ? last : checkpoint;
}
