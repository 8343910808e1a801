import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { migrate } from './migrate.js';

/**
 * Where personal data's keys live: one key per subject (a user's profile, one message), outside
 * the log, in PostgreSQL. Destroying a key makes every copy of what it sealed unreadable, in
 * either event store and in every backup of the log, without rewriting an event.
 *
 * A subject has an owner (a message's sender; a user owns their profile): erasing an owner
 * destroys all their subjects' keys at once, and keys asked for later on their behalf are born
 * destroyed. The keys are stored wrapped (AES-256-GCM) under the master key from the config, with
 * the subject as associated data, so that a row moved to another subject does not open.
 */
export interface PersonalDataKeys {
  /** Each subject's key, created when it has none; null when destroyed. */
  keysForSealing(
    subjects: readonly { readonly subject: string; readonly owner: string }[],
  ): Promise<ReadonlyMap<string, Buffer | null>>;
  /** Each subject's key; null when destroyed or never made. */
  keysForOpening(subjects: readonly string[]): Promise<ReadonlyMap<string, Buffer | null>>;
  /** Destroys a subject's key, or every key of an owner (and those it would get later). */
  destroy(target: ErasureTarget): Promise<void>;
  /** Forgets cached keys another process destroyed (its erasure event reached this one). */
  forget(target: ErasureTarget): void;
}

export type ErasureTarget = { readonly subject: string } | { readonly owner: string };

const migrations = [
  {
    id: '001-personal-data-keys',
    sql: `
      CREATE TABLE personal_data_keys (
        subject_id text PRIMARY KEY,
        owner_id text NOT NULL,
        wrapped_key bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
      );
      CREATE INDEX personal_data_keys_by_owner ON personal_data_keys (owner_id);
      CREATE TABLE personal_data_erased_owners (
        owner_id text PRIMARY KEY,
        erased_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];

/** Keys kept in memory; a miss costs one query (keys are 32 bytes, so this is a few MB). */
const CACHE_SIZE = 50_000;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class MasterKeyMismatchError extends Error {
  override readonly name = 'MasterKeyMismatchError';
  constructor() {
    super(
      'PERSONAL_DATA_KEY does not open the stored personal-data keys: it is not the key they were made with',
    );
  }
}

function wrap(masterKey: Buffer, subject: string, key: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv).setAAD(Buffer.from(subject));
  const sealed = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]);
}

function unwrap(masterKey: Buffer, subject: string, wrapped: Buffer): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, wrapped.subarray(0, IV_BYTES))
      .setAAD(Buffer.from(subject))
      .setAuthTag(wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new MasterKeyMismatchError();
  }
}

/** Creates the table if needed and returns the keys of this database, wrapped under `masterKey`. */
export async function openPersonalDataKeys(
  pool: pg.Pool,
  masterKey: Buffer,
  options: {
    /**
     * Where new keys are inserted without waiting for their own flush to disk. Only for a pool on
     * the server that also holds the log: the synchronous commit of the event a key seals comes
     * later in the same write-ahead log, so it makes the key durable with it (a key lost in a
     * crash would make its data read as erased).
     */
    readonly insertPool?: pg.Pool;
  } = {},
): Promise<PersonalDataKeys> {
  await migrate(pool, 'personal-data', migrations);
  const insertPool = options.insertPool ?? pool;
  const cache = new Map<string, { key: Buffer | null; owner: string }>();
  const erasedOwners = new Set<string>();
  const remember = (subject: string, owner: string, key: Buffer | null) => {
    cache.delete(subject);
    cache.set(subject, { key, owner });
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  };
  const forget = (target: ErasureTarget) => {
    if ('subject' in target) {
      const cached = cache.get(target.subject);
      if (cached) cached.key = null;
      return;
    }
    erasedOwners.add(target.owner);
    for (const entry of cache.values()) if (entry.owner === target.owner) entry.key = null;
  };

  /*
   * New keys are inserted by one statement at a time: the requests that arrive while it runs go
   * together in the next (as appends do), so a key per message costs no round trip of its own.
   */
  type Creation = { owner: string; key: Buffer };
  type Created = Map<string, Buffer | null>;
  const queued: {
    missing: Map<string, Creation>;
    resolve: (c: Created) => void;
    reject: (e: unknown) => void;
  }[] = [];
  let inserting = false;
  const insertAll = async (all: Map<string, Creation>): Promise<Created> => {
    const ids = [...all.keys()];
    const { rows } = await insertPool.query<{ subject_id: string; erased: boolean }>({
      name: 'personal-data-keys-insert',
      text: `INSERT INTO personal_data_keys (subject_id, owner_id, wrapped_key, erased_at)
       SELECT n.subject_id, n.owner_id,
              CASE WHEN e.owner_id IS NULL THEN n.wrapped_key END,
              CASE WHEN e.owner_id IS NULL THEN NULL ELSE now() END
         FROM unnest($1::text[], $2::text[], $3::bytea[]) AS n (subject_id, owner_id, wrapped_key)
         LEFT JOIN personal_data_erased_owners e ON e.owner_id = n.owner_id
       ON CONFLICT (subject_id) DO NOTHING
       RETURNING subject_id, wrapped_key IS NULL AS erased`,
      values: [
        ids,
        ids.map((id) => all.get(id)!.owner),
        ids.map((id) => wrap(masterKey, id, all.get(id)!.key)),
      ],
    });
    return new Map(rows.map((row) => [row.subject_id, row.erased ? null : all.get(row.subject_id)!.key]));
  };
  const drain = async () => {
    inserting = true;
    while (queued.length > 0) {
      const batch = queued.splice(0);
      // The first request for a subject wins; the others get its key (or look it up if it existed).
      const all = new Map<string, Creation>();
      for (const { missing } of batch)
        for (const [subject, creation] of missing) if (!all.has(subject)) all.set(subject, creation);
      try {
        const created = await insertAll(all);
        for (const { missing, resolve } of batch) {
          resolve(
            new Map(
              [...missing.keys()].flatMap((subject) =>
                created.has(subject) ? [[subject, created.get(subject)!] as const] : [],
              ),
            ),
          );
        }
      } catch (error) {
        for (const { reject } of batch) reject(error);
      }
    }
    inserting = false;
  };
  /** Inserts the keys; a subject missing from the answer had a key already. */
  const createKeys = (missing: Map<string, Creation>) =>
    new Promise<Created>((resolve, reject) => {
      queued.push({ missing, resolve, reject });
      if (!inserting) void drain();
    });

  const keys: PersonalDataKeys = {
    async keysForSealing(subjects) {
      const found = new Map<string, Buffer | null>();
      const missing = new Map<string, { owner: string; key: Buffer }>();
      for (const { subject, owner } of subjects) {
        const cached = cache.get(subject);
        if (cached) found.set(subject, cached.key);
        else if (erasedOwners.has(owner)) found.set(subject, null);
        else if (!missing.has(subject)) missing.set(subject, { owner, key: randomBytes(32) });
      }
      if (missing.size === 0) return found;
      const created = await createKeys(missing);
      for (const [subject, { owner }] of missing) {
        const key = created.get(subject);
        if (key === undefined) continue;
        remember(subject, owner, key);
        found.set(subject, key);
        missing.delete(subject);
      }
      // Subjects that had a key already (made by another process, or before a restart).
      if (missing.size > 0) {
        const existing = await keys.keysForOpening([...missing.keys()]);
        for (const [subject, key] of existing) found.set(subject, key);
      }
      return found;
    },

    async keysForOpening(subjects) {
      const keys = new Map<string, Buffer | null>();
      const missing: string[] = [];
      for (const subject of subjects) {
        const cached = cache.get(subject);
        if (cached) keys.set(subject, cached.key);
        else if (!keys.has(subject)) missing.push(subject);
      }
      if (missing.length === 0) return keys;
      const { rows } = await pool.query<{ subject_id: string; owner_id: string; wrapped_key: Buffer | null }>(
        {
          name: 'personal-data-keys-select',
          text: 'SELECT subject_id, owner_id, wrapped_key FROM personal_data_keys WHERE subject_id = ANY ($1::text[])',
          values: [missing],
        },
      );
      for (const row of rows) {
        const key = row.wrapped_key === null ? null : unwrap(masterKey, row.subject_id, row.wrapped_key);
        remember(row.subject_id, row.owner_id, key);
        keys.set(row.subject_id, key);
      }
      for (const subject of missing) if (!keys.has(subject)) keys.set(subject, null);
      return keys;
    },

    async destroy(target) {
      if ('subject' in target) {
        await pool.query(
          `UPDATE personal_data_keys SET wrapped_key = NULL, erased_at = now()
            WHERE subject_id = $1 AND wrapped_key IS NOT NULL`,
          [target.subject],
        );
      } else {
        await pool.query(
          `WITH erased AS (
             INSERT INTO personal_data_erased_owners (owner_id) VALUES ($1) ON CONFLICT DO NOTHING
           )
           UPDATE personal_data_keys SET wrapped_key = NULL, erased_at = now()
            WHERE owner_id = $1 AND wrapped_key IS NOT NULL`,
          [target.owner],
        );
      }
      forget(target);
    },

    forget,
  };
  return keys;
}
