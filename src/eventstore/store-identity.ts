import type pg from 'pg';
import { migrate } from '../platform/migrate.js';
import type { StoreIdentity } from './port.js';

/*
 * Checkpoints are positions, and a position means something only in the store that returned it:
 * after a switch from PostgreSQL to EventStoreDB (or back, or to a wiped store) a checkpoint
 * would skip or misread the new log. So beside each projection's checkpoint sits the identity of
 * the store it was built from; projectors run only where it is the current store's, and
 * `projections rebuild` (which replays the whole log) is what records a new one.
 */

const migrations = [
  {
    id: '001-projection-store',
    sql: `
      CREATE TABLE projection_store_identity (
        name text PRIMARY KEY,
        store_kind text NOT NULL,
        store_id text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];

export const migrateStoreIdentity = (pool: pg.Pool) => migrate(pool, 'store-identity', migrations);

/**
 * Of `names`, the projections built from another store than `current`. A projection with no
 * store recorded yet (new, or built before identities were recorded) is taken to be built from
 * the current one, and recorded so.
 */
export async function projectionsFromOtherStores(
  pool: pg.Pool,
  names: readonly string[],
  current: StoreIdentity,
): Promise<string[]> {
  await migrateStoreIdentity(pool);
  await pool.query(
    `INSERT INTO projection_store_identity (name, store_kind, store_id)
     SELECT unnest($1::text[]), $2, $3 ON CONFLICT (name) DO NOTHING`,
    [names, current.kind, current.id],
  );
  const { rows } = await pool.query<{ name: string }>(
    `SELECT name FROM projection_store_identity
      WHERE name = ANY ($1) AND (store_kind, store_id) <> ($2, $3) ORDER BY name`,
    [names, current.kind, current.id],
  );
  return rows.map((row) => row.name);
}

/** Records that `name` is now built from `current`; runs in the rebuild's transaction. */
export async function recordProjectionStore(
  client: pg.ClientBase,
  name: string,
  current: StoreIdentity,
): Promise<void> {
  await client.query(
    `INSERT INTO projection_store_identity (name, store_kind, store_id) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET store_kind = $2, store_id = $3, recorded_at = now()`,
    [name, current.kind, current.id],
  );
}
