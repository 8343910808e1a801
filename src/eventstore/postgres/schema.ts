// Long because migrations are append-only: each shipped version of the store's SQL stays as it was.
import type { Pool } from 'pg';

/** Everything the store owns lives in its own schema, away from the read models. */
export const SCHEMA = 'event_store';
export const EVENTS_TABLE = `${SCHEMA}.events`;
export const LOG_HEAD_TABLE = `${SCHEMA}.log_head`;
export const APPEND_FUNCTION = `${SCHEMA}.append_batch`;
export const IDENTITY_TABLE = `${SCHEMA}.store_identity`;
/** `pg_notify` channel; the payload is the log head after the committing append. */
export const APPENDED_CHANNEL = 'event_store_appended';

/** SQLSTATE raised when an append brings a key for a subject that already has another one. */
export const SEALING_KEY_CONFLICT = 'CK001';

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
      -- append-batch.ts), which is what keeps the global order free of gaps.
      CREATE TABLE ${LOG_HEAD_TABLE} (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        position  bigint  NOT NULL
      );
      INSERT INTO ${LOG_HEAD_TABLE} (singleton, position) VALUES (true, 0);
    `,
  },
  {
    version: 2,
    // A whole batch of appends in one statement (see append-batch.ts): the log-head lock is taken
    // and released by the statement's own transaction, so it is held for microseconds of work and
    // the commit, not for a conversation of round trips. Appends are applied in order and each is
    // checked on its own; one that fails writes nothing and the others carry on.
    //
    // Arguments: per append its stream, expected revision ('any', 'no_stream', 'stream_exists' or
    // a number) and event count; the events of all appends concatenated in order, each with its
    // stream. Decisions are made in memory, then one INSERT writes every accepted event.
    // Result, per append in order: outcome 'ok' (revision, position of its last event), 'retry'
    // (the same events were stored before: their last revision and position), 'wrong_revision'
    // (revision = the stream's current one, null for no stream) or 'duplicate_id' (duplicate_id =
    // an id already stored for other events); created_at is the time stored with new events.
    sql: `
      CREATE FUNCTION ${APPEND_FUNCTION}(
        streams text[], expected text[], counts integer[],
        event_streams text[], ids uuid[], types text[], datas jsonb[], metadatas jsonb[]
      ) RETURNS TABLE (outcome text, revision bigint, "position" bigint, duplicate_id uuid, created_at timestamptz)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        head bigint;
        start_head bigint;
        total integer := coalesce(array_length(ids, 1), 0);
        -- Current revision of every stream of the batch, kept up to date as appends are accepted.
        known_streams text[];
        known_revisions bigint[];
        -- Per event: its position and revision if its append is accepted, else null.
        positions bigint[] := array_fill(NULL::bigint, ARRAY[total]);
        revisions bigint[] := array_fill(NULL::bigint, ARRAY[total]);
        any_stored boolean;
        first_index integer := 1;
        n integer;
        k integer;
        current_revision bigint;
        stored_ids uuid[];
        stored_first bigint;
        stored_last bigint;
        stored_position bigint;
      BEGIN
        SELECT h.position INTO head FROM ${LOG_HEAD_TABLE} h FOR UPDATE;
        start_head := head;
        SELECT array_agg(s.name), array_agg((SELECT max(e.revision) FROM ${EVENTS_TABLE} e WHERE e.stream_name = s.name))
          INTO known_streams, known_revisions
          FROM (SELECT DISTINCT unnest(streams) AS name) s;
        SELECT EXISTS (
          SELECT FROM unnest(event_streams, ids) AS x (stream_name, id)
            JOIN ${EVENTS_TABLE} e ON e.stream_name = x.stream_name AND e.event_id = x.id
        ) INTO any_stored;
        FOR i IN 1 .. coalesce(array_length(streams, 1), 0) LOOP
          n := counts[i];
          k := array_position(known_streams, streams[i]);
          current_revision := known_revisions[k];
          outcome := NULL; revision := NULL; "position" := NULL; duplicate_id := NULL; created_at := now();
          IF any_stored THEN
            -- Rare: some id of the batch is stored already (a retry, or an id re-used).
            SELECT array_agg(e.event_id ORDER BY e.revision), min(e.revision), max(e.revision), max(e.position)
              INTO stored_ids, stored_first, stored_last, stored_position
              FROM ${EVENTS_TABLE} e
             WHERE e.stream_name = streams[i] AND e.event_id = ANY (ids[first_index : first_index + n - 1]);
            IF stored_ids IS NULL THEN
              NULL;
            ELSIF stored_ids = ids[first_index : first_index + n - 1] AND stored_last - stored_first = n - 1 THEN
              -- A retry of an append that already succeeded wins over the revision check.
              outcome := 'retry'; revision := stored_last; "position" := stored_position;
            ELSE
              outcome := 'duplicate_id'; duplicate_id := stored_ids[1];
            END IF;
          END IF;
          IF outcome IS NULL THEN
            IF (CASE expected[i]
                  WHEN 'any' THEN false
                  WHEN 'no_stream' THEN current_revision IS NOT NULL
                  WHEN 'stream_exists' THEN current_revision IS NULL
                  ELSE current_revision IS DISTINCT FROM expected[i]::bigint
                END) THEN
              outcome := 'wrong_revision'; revision := current_revision;
            ELSE
              FOR j IN 0 .. n - 1 LOOP
                positions[first_index + j] := head + j + 1;
                revisions[first_index + j] := coalesce(current_revision, -1) + j + 1;
              END LOOP;
              head := head + n;
              current_revision := coalesce(current_revision, -1) + n;
              known_revisions[k] := current_revision;
              outcome := 'ok'; revision := current_revision; "position" := head;
            END IF;
          END IF;
          first_index := first_index + n;
          RETURN NEXT;
        END LOOP;
        IF head > start_head THEN
          INSERT INTO ${EVENTS_TABLE} (position, stream_name, revision, event_id, type, data, metadata)
          SELECT e.position, e.stream_name, e.revision, e.id, e.type, e.data, e.metadata
            FROM unnest(positions, event_streams, revisions, ids, types, datas, metadatas)
                 AS e (position, stream_name, revision, id, type, data, metadata)
           WHERE e.position IS NOT NULL;
          UPDATE ${LOG_HEAD_TABLE} SET position = head;
          -- Delivered to listeners only when (and if) the transaction commits.
          PERFORM pg_notify('${APPENDED_CHANNEL}', head::text);
        END IF;
      END
      $fn$;
    `,
  },
  {
    version: 3,
    // The store's identity (see StoreIdentity in port.ts): made once with the schema, so it names
    // this log for as long as the data lives, whatever the address it is reached at.
    sql: `
      CREATE TABLE ${IDENTITY_TABLE} (
        singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
        store_id   uuid        NOT NULL DEFAULT gen_random_uuid(),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO ${IDENTITY_TABLE} DEFAULT VALUES;
    `,
  },
  {
    version: 4,
    // Appends that bring new personal-data keys (see platform/personal-data-keys.ts): the batch as
    // in version 2, then, in the same transaction, the keys of the appends it accepted. An event is
    // never visible, nor durable, without the key that opens it. The keys table belongs to the
    // keys module and is looked up by the caller's search path, so a store whose database has no
    // keys table still appends without keys. A key of an owner already erased is born destroyed.
    // A subject that already has a different live key fails the statement: its events could
    // never be opened.
    sql: `
      CREATE FUNCTION ${APPEND_FUNCTION}(
        streams text[], expected text[], counts integer[],
        event_streams text[], ids uuid[], types text[], datas jsonb[], metadatas jsonb[],
        key_appends integer[], key_subjects text[], key_owners text[], wrapped_keys bytea[]
      ) RETURNS TABLE (outcome text, revision bigint, "position" bigint, duplicate_id uuid, created_at timestamptz)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        accepted integer[] := '{}';
        i integer := 0;
        r record;
        subjects text[];
        owners text[];
        wrapped bytea[];
        inserted integer;
      BEGIN
        FOR r IN SELECT * FROM ${APPEND_FUNCTION}(streams, expected, counts, event_streams, ids, types, datas, metadatas) LOOP
          i := i + 1;
          IF r.outcome = 'ok' THEN accepted := accepted || i; END IF;
          outcome := r.outcome; revision := r.revision; "position" := r.position;
          duplicate_id := r.duplicate_id; created_at := r.created_at;
          RETURN NEXT;
        END LOOP;
        SELECT array_agg(n.subject_id), array_agg(n.owner_id), array_agg(n.wrapped_key)
          INTO subjects, owners, wrapped
          FROM unnest(key_appends, key_subjects, key_owners, wrapped_keys)
               AS n (append_index, subject_id, owner_id, wrapped_key)
         WHERE n.append_index = ANY (accepted);
        IF subjects IS NULL THEN RETURN; END IF;
        INSERT INTO personal_data_keys (subject_id, owner_id, wrapped_key, erased_at)
        SELECT n.subject_id, n.owner_id,
               CASE WHEN e.owner_id IS NULL THEN n.wrapped_key END,
               CASE WHEN e.owner_id IS NULL THEN NULL ELSE now() END
          FROM unnest(subjects, owners, wrapped) AS n (subject_id, owner_id, wrapped_key)
          LEFT JOIN personal_data_erased_owners e ON e.owner_id = n.owner_id
        ON CONFLICT (subject_id) DO NOTHING;
        GET DIAGNOSTICS inserted = ROW_COUNT;
        -- Only when some subject had a row already (rare), by the primary key: is it another key?
        IF inserted < cardinality(subjects) AND EXISTS (
          SELECT FROM personal_data_keys k
           WHERE k.subject_id = ANY (subjects) AND k.wrapped_key IS NOT NULL
             AND NOT (k.wrapped_key = ANY (wrapped))
        ) THEN
          RAISE EXCEPTION 'a sealing key of this append conflicts with a stored key'
            USING ERRCODE = '${SEALING_KEY_CONFLICT}';
        END IF;
      END
      $fn$;
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
