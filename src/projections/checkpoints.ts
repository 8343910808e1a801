import type pg from 'pg';

/*
 * Every query of the checkpoint table, `projection_checkpoints` (created with the read models,
 * schema.ts): one row per projection, the position of the last log event it applied, written in
 * the same transaction as the change it made.
 */

type Queryable = Pick<pg.ClientBase, 'query'>;

export interface Checkpoint {
  readonly position: bigint;
  readonly updatedAt: Date;
}

/** The checkpoints of the named projections (all of them without names); a projection never run has none. */
export async function readCheckpoints(
  db: Queryable,
  names?: readonly string[],
): Promise<Map<string, Checkpoint>> {
  const { rows } = await db.query<{ name: string; position: string; updated_at: Date }>(
    names
      ? {
          name: 'checkpoints-read-named',
          text: 'SELECT name, position, updated_at FROM projection_checkpoints WHERE name = ANY ($1)',
          values: [names],
        }
      : 'SELECT name, position, updated_at FROM projection_checkpoints',
  );
  return new Map(
    rows.map((row) => [row.name, { position: BigInt(row.position), updatedAt: row.updated_at }]),
  );
}

/** One projection's position (0 when it never ran). */
export async function checkpointOf(db: Queryable, name: string): Promise<bigint> {
  return (await readCheckpoints(db, [name])).get(name)?.position ?? 0n;
}

/** The lowest of some positions (0 for none). */
export function slowestOf(positions: readonly bigint[]): bigint {
  return positions.reduce((min, position) => (position < min ? position : min), positions[0] ?? 0n);
}

/** The lowest position of the named projections, 0 while one of them has never run. */
export async function slowestCheckpoint(db: Queryable, names: readonly string[]): Promise<bigint> {
  const checkpoints = await readCheckpoints(db, names);
  return slowestOf(names.map((name) => checkpoints.get(name)?.position ?? 0n));
}

/** Gives each named projection a checkpoint at 0 if it has none; returns every one's position. */
export async function startCheckpoints(
  db: Queryable,
  names: readonly string[],
): Promise<Map<string, bigint>> {
  await db.query(
    'INSERT INTO projection_checkpoints (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING',
    [names],
  );
  const checkpoints = await readCheckpoints(db, names);
  return new Map([...checkpoints].map(([name, checkpoint]) => [name, checkpoint.position]));
}

/**
 * Moves checkpoints from the positions this leader last wrote to new ones, in the caller's
 * transaction; false when one of them had been moved by someone else meanwhile (nothing is moved).
 */
export async function moveCheckpoints(
  client: pg.ClientBase,
  moves: ReadonlyMap<string, { readonly from: bigint; readonly to: bigint }>,
): Promise<boolean> {
  const names = [...moves.keys()];
  const saved = await client.query({
    name: 'checkpoints-move',
    text: `UPDATE projection_checkpoints c SET position = s.next, updated_at = now()
             FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS s (name, previous, next)
            WHERE c.name = s.name AND c.position = s.previous`,
    values: [
      names,
      names.map((name) => String(moves.get(name)!.from)),
      names.map((name) => String(moves.get(name)!.to)),
    ],
  });
  return saved.rowCount === moves.size;
}

/** Sets a checkpoint, whatever it was (a rebuild swapping its tables in). */
export async function setCheckpoint(client: pg.ClientBase, name: string, position: bigint): Promise<void> {
  await client.query(
    `INSERT INTO projection_checkpoints (name, position) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()`,
    [name, position.toString()],
  );
}
