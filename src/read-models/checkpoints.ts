import type pg from 'pg';

/*
 * The checkpoints: each projection's position in the log, moved in the same transaction as its
 * tables. This module holds every statement on the table.
 */

/**
 * In the migration `001-read-models` (migrations.ts): applied once by id and never compared again,
 * so its text, spacing included, stays as it is.
 */
export const checkpointsTable = `
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        position bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      );`;

/** Anything that runs a query: the pool, or a client inside a transaction. */
type Queryable = Pick<pg.ClientBase, 'query'>;

/** The positions of the named projections (all, without names); a projection with none is absent. */
export async function checkpointPositions(
  db: Queryable,
  names?: readonly string[],
): Promise<Map<string, bigint>> {
  const { rows } = await db.query<{ name: string; position: string }>(
    names === undefined
      ? 'SELECT name, position FROM projection_checkpoints'
      : { text: 'SELECT name, position FROM projection_checkpoints WHERE name = ANY ($1)', values: [names] },
  );
  return new Map(rows.map((row) => [row.name, BigInt(row.position)]));
}

/** One projection's position; 0 if it has none yet. */
export async function checkpointPosition(db: Queryable, name: string): Promise<bigint> {
  const { rows } = await db.query<{ position: string }>({
    name: 'checkpoints-position',
    text: 'SELECT position FROM projection_checkpoints WHERE name = $1',
    values: [name],
  });
  return rows[0] ? BigInt(rows[0].position) : 0n;
}

/** Every checkpoint with when it last moved, for an operator. */
export async function checkpointStatus(
  db: Queryable,
): Promise<Map<string, { readonly position: bigint; readonly updatedAt: Date }>> {
  const { rows } = await db.query<{ name: string; position: string; updated_at: Date }>(
    'SELECT name, position, updated_at FROM projection_checkpoints',
  );
  return new Map(
    rows.map((row) => [row.name, { position: BigInt(row.position), updatedAt: row.updated_at }]),
  );
}

/** The named projections' positions, each made at 0 first where there is none yet. */
export async function openCheckpoints(db: Queryable, names: readonly string[]): Promise<Map<string, bigint>> {
  await db.query(
    'INSERT INTO projection_checkpoints (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING',
    [names],
  );
  return checkpointPositions(db, names);
}

const MOVE = {
  name: 'checkpoints-move',
  text: `UPDATE projection_checkpoints c SET position = s.next, updated_at = now()
           FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS s (name, previous, next)
          WHERE c.name = s.name AND c.position = s.previous`,
};

/**
 * Moves each named checkpoint from where the caller left it to its new position, in one statement;
 * false if any of them was not where the caller left it (a rebuild or another projector moved it).
 */
export async function moveCheckpoints(
  db: Queryable,
  moves: ReadonlyMap<string, { readonly from: bigint; readonly to: bigint }>,
): Promise<boolean> {
  const names = [...moves.keys()];
  const result = await db.query({
    ...MOVE,
    values: [
      names,
      names.map((name) => moves.get(name)!.from.toString()),
      names.map((name) => moves.get(name)!.to.toString()),
    ],
  });
  return result.rowCount === moves.size;
}

/** Sets a projection's position, wherever it was (a rebuild swapping its tables in). */
export async function setCheckpoint(db: Queryable, name: string, position: bigint): Promise<void> {
  await db.query(
    `INSERT INTO projection_checkpoints (name, position) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()`,
    [name, position.toString()],
  );
}
