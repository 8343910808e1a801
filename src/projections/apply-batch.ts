import type pg from 'pg';
import type { RecordedEvent } from '../eventstore/port.js';
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
 * Applies events past the stored checkpoint and moves the checkpoint, within the caller's
 * transaction: an event's effect and the checkpoint that records it commit together, so a crash
 * neither loses nor doubles it, and a redelivered event is skipped by position.
 */
export async function applyEvents(
  client: pg.ClientBase,
  projection: Projection,
  events: readonly RecordedEvent[],
): Promise<bigint> {
  const checkpoint = await lockCheckpoint(client, projection.name);
  let position = checkpoint;
  for (const event of events) {
    if (event.position <= position) continue;
    if (projection.handles.has(event.type)) await projection.apply(client, event);
    position = event.position;
  }
  if (position > checkpoint) await saveCheckpoint(client, projection.name, position);
  return position;
}
