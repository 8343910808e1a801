import type { LoggedEvent } from '../log.js';
import type pg from 'pg';
import type { Projection } from './projection.js';

/** The checkpoint row, locked until the caller's transaction ends. */
export async function lockCheckpoint(client: pg.ClientBase, name: string): Promise<bigint> {
  await client.query('INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [
    name,
  ]);
  const { rows } = await client.query<{ position: string }>(
    'SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
    [name],
  );
  return BigInt(rows[0]!.position);
}

export async function saveCheckpoint(client: pg.ClientBase, name: string, position: bigint): Promise<void> {
  await client.query('UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1', [
    name,
    position.toString(),
  ]);
}

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
