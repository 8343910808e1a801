import type pg from 'pg';
import { inTransaction } from '../platform/transactions.js';
import type { Projection } from '../read-models/projection.js';
import { readModelMigrations } from '../read-models/migrations.js';

/*
 * A rebuild writes into shadow tables: the projection's own tables, made by the same migrations in
 * a schema of their own (`rebuild_<name>`), beside a one-row table holding the shadow's checkpoint.
 * The projection's code is unchanged: its statements name tables without a schema, and a rebuild's
 * transactions put the shadow schema first on the search_path, so they land in the shadow tables
 * (anything else they read still resolves to the live schema). When the shadow has caught up, its
 * tables are moved into the live schema in one transaction and the old ones are dropped.
 */

const SHADOW_PREFIX = 'rebuild_';
const CHECKPOINT_TABLE = 'rebuild_checkpoint';
/** Which table definitions a shadow was made with; one made with others is started again. */
const DEFINITIONS = readModelMigrations.map((migration) => migration.id).join(',');

export interface Shadow {
  readonly projection: Projection;
  /** Its schema, a safe identifier (`rebuild_<name>`). */
  readonly schema: string;
  /** Where it stands in the log: the position its tables have applied up to. */
  readonly position: bigint;
  /** Left by an earlier, interrupted rebuild. */
  readonly resumed: boolean;
}

function schemaFor(projection: Projection, prefix = SHADOW_PREFIX): string {
  if (!/^[a-z][a-z0-9_]*$/.test(projection.name)) {
    throw new Error(`projection name ${JSON.stringify(projection.name)} cannot name a schema`);
  }
  return `${prefix}${projection.name}`;
}

/**
 * The shadow of a rebuild of `projection`: the one an interrupted rebuild left (made with the same
 * table definitions), unless `restart`, else a new, empty one.
 */
export async function openShadow(
  pool: pg.Pool,
  projection: Projection,
  options: { restart?: boolean } = {},
): Promise<Shadow> {
  const schema = schemaFor(projection);
  return inTransaction(pool, async (client) => {
    const found = await shadowPosition(client, schema);
    if (found && found.definitions === DEFINITIONS && !options.restart) {
      return { projection, schema, position: found.position, resumed: true };
    }
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET LOCAL search_path TO ${schema}`);
    for (const migration of readModelMigrations) await client.query(migration.sql);
    // Only the projection's own tables may stay: another would hide the live one from its queries.
    const { rows } = await client.query<{ name: string }>(
      'SELECT tablename AS name FROM pg_tables WHERE schemaname = $1',
      [schema],
    );
    const present = new Set(rows.map((row) => row.name));
    for (const table of present) {
      if (!projection.tables.includes(table)) await client.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
    }
    const missing = projection.tables.filter((table) => !present.has(table));
    if (missing.length > 0) {
      throw new Error(`the read-model migrations make no table ${missing.join(', ')} for ${projection.name}`);
    }
    await client.query(
      `CREATE TABLE ${CHECKPOINT_TABLE} (
         position bigint NOT NULL, definitions text NOT NULL,
         started_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`,
    );
    await client.query(`INSERT INTO ${CHECKPOINT_TABLE} (position, definitions) VALUES (0, $1)`, [
      DEFINITIONS,
    ]);
    return { projection, schema, position: 0n, resumed: false };
  });
}

async function shadowPosition(
  client: pg.ClientBase,
  schema: string,
): Promise<{ position: bigint; definitions: string } | undefined> {
  const { rows } = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
    `${schema}.${CHECKPOINT_TABLE}`,
  ]);
  if (!rows[0]?.present) return undefined;
  const state = await client.query<{ position: string; definitions: string }>(
    `SELECT position, definitions FROM ${schema}.${CHECKPOINT_TABLE}`,
  );
  const row = state.rows[0];
  return row && { position: BigInt(row.position), definitions: row.definitions };
}

/** Where the rebuilds under way (or interrupted) stand, by projection. */
export async function shadowPositions(
  pool: pg.Pool,
  projections: readonly Projection[],
): Promise<Map<string, bigint>> {
  const positions = new Map<string, bigint>();
  const client = await pool.connect();
  try {
    for (const projection of projections) {
      const found = await shadowPosition(client, schemaFor(projection));
      if (found) positions.set(projection.name, found.position);
    }
  } finally {
    client.release();
  }
  return positions;
}

/**
 * Points the caller's transaction at the shadow: the projection's statements then write the shadow
 * tables. `livePath` is the connection's own search_path, where everything else is found.
 */
export async function useShadow(client: pg.ClientBase, shadow: Shadow, livePath: string): Promise<void> {
  await client.query(`SET LOCAL search_path TO ${shadow.schema}, ${livePath}`);
}

export async function saveShadowPosition(
  client: pg.ClientBase,
  shadow: Shadow,
  position: bigint,
): Promise<void> {
  await client.query(`UPDATE ${shadow.schema}.${CHECKPOINT_TABLE} SET position = $1, updated_at = now()`, [
    position.toString(),
  ]);
}

/** Gives the planner statistics of the freshly filled shadow tables before they serve reads. */
export async function analyzeShadow(pool: pg.Pool, shadow: Shadow): Promise<void> {
  for (const table of shadow.projection.tables) await pool.query(`ANALYZE ${shadow.schema}.${table}`);
}

/**
 * Locks the live tables against every reader and writer, until the caller's transaction ends. A
 * projector that is writing them is waited for (at most `lock_timeout`, which the caller sets).
 */
export async function lockLiveTables(client: pg.ClientBase, shadow: Shadow): Promise<Map<string, string>> {
  const live = await liveSchemas(client, shadow.projection.tables);
  const names = shadow.projection.tables.map((table) => `${live.get(table)}.${table}`);
  await client.query(`LOCK TABLE ${names.join(', ')} IN ACCESS EXCLUSIVE MODE`);
  return live;
}

/** The schema each live table is in, as the connection's search_path finds it. */
async function liveSchemas(client: pg.ClientBase, tables: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await client.query<{ name: string; schema: string | null }>(
    `SELECT t.name, quote_ident(n.nspname) AS schema
       FROM unnest($1::text[]) AS t (name)
       LEFT JOIN pg_class c ON c.oid = to_regclass(quote_ident(t.name))
       LEFT JOIN pg_namespace n ON n.oid = c.relnamespace`,
    [tables],
  );
  const missing = rows.filter((row) => row.schema === null).map((row) => row.name);
  if (missing.length > 0) throw new Error(`no live table ${missing.join(', ')}: run migrate first`);
  return new Map(rows.map((row) => [row.name, row.schema!]));
}

/**
 * Within the caller's transaction, after `lockLiveTables`: puts the shadow tables where the live
 * ones were (indexes, constraints and names move with them) and drops the old ones and the shadow.
 * A foreign key into the old tables from a table the projection does not own would be dropped
 * with them; read models keep their references within one projection.
 */
export async function swapShadowIn(
  client: pg.ClientBase,
  shadow: Shadow,
  live: ReadonlyMap<string, string>,
): Promise<void> {
  const retired = schemaFor(shadow.projection, 'retired_');
  await client.query(`DROP SCHEMA IF EXISTS ${retired} CASCADE`);
  await client.query(`CREATE SCHEMA ${retired}`);
  for (const [table, schema] of live)
    await client.query(`ALTER TABLE ${schema}.${table} SET SCHEMA ${retired}`);
  for (const [table, schema] of live) {
    await client.query(`ALTER TABLE ${shadow.schema}.${table} SET SCHEMA ${schema}`);
  }
  await client.query(`DROP SCHEMA ${retired} CASCADE`);
  await client.query(`DROP SCHEMA ${shadow.schema} CASCADE`);
}
