import type { Pool } from 'pg';

/** Everything the store owns lives in its own schema, away from the read models. */
export const SCHEMA = 'event_store';
export const EVENTS_TABLE = `${SCHEMA}.events`;
export const LOG_HEAD_TABLE = `${SCHEMA}.log_head`;
/** `pg_notify` channel; the payload is the log head after the committing append. */
export const APPENDED_CHANNEL = 'event_store_appended';

export const STREAM_REVISION_CONSTRAINT = 'events_stream_revision_key';
export const STREAM_EVENT_ID_CONSTRAINT = 'events_stream_event_id_key';

/**
 * Key of the transaction-level advisory lock that serialises migrations, so several processes
 * starting together do not race on `CREATE ... IF NOT EXISTS` (which is not safe concurrently).
 * The value is 'evstore' in ASCII; it only has to differ from the application's other locks.
 */
const MIGRATION_LOCK_KEY = 28559210894553701n; // 0x657673746f7265

interface Migration {
  readonly version: number;
  readonly sql: string;
}

/** Append-only list: never edit a migration that has shipped, add a new one. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE ${EVENTS_TABLE} (
        position    bigint      PRIMARY KEY,
        stream_name text        NOT NULL,
        revision    bigint      NOT NULL CHECK (revision >= 0),
        event_id    uuid        NOT NULL,
        type        text        NOT NULL,
        data        jsonb       NOT NULL,
        metadata    jsonb       NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ${STREAM_REVISION_CONSTRAINT} UNIQUE (stream_name, revision),
        CONSTRAINT ${STREAM_EVENT_ID_CONSTRAINT} UNIQUE (stream_name, event_id)
      );
      -- One row: the position of the newest committed event. Every append locks it (see
      -- append-transaction.ts), which is what keeps the global order free of gaps.
      CREATE TABLE ${LOG_HEAD_TABLE} (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        position  bigint  NOT NULL
      );
      INSERT INTO ${LOG_HEAD_TABLE} (singleton, position) VALUES (true, 0);
    `,
  },
];

/** Brings the schema up to date; idempotent and safe to run from several processes at once. */
export async function migrate(pool: Pool): Promise<void> {
  const client = await pool.connect();
  let failure: unknown;
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [MIGRATION_LOCK_KEY.toString()]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_migrations (
         version    integer     PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const applied = await client.query<{ version: number }>(
      `SELECT version FROM ${SCHEMA}.schema_migrations`,
    );
    const done = new Set(applied.rows.map((row) => row.version));
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${SCHEMA}.schema_migrations (version) VALUES ($1)`, [
        migration.version,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    // A failed migration leaves the connection mid-transaction: discard it rather than roll back.
    client.release(failure instanceof Error ? failure : failure !== undefined);
  }
}
