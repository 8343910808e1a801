// Long because the keys' whole life is here: wrapping, the cache, keys made for sealing until stored, lookups, destruction.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type pg from 'pg';
import { migrate } from './migrate.js';
import { randomPiece } from './random-pool.js';
import { trimOldest } from './bounded-map.js';

/**
 * Where personal data's keys live: one key per subject (a user's profile, one message), outside
 * the log, in PostgreSQL. Destroying a key makes every copy of what it sealed unreadable, in
 * either event store and in every backup of the log, without rewriting an event.
 *
 * A subject has an owner (a message's sender; a user owns their profile): erasing an owner
 * destroys all their subjects' keys at once, and keys asked for later on their behalf are born
 * destroyed. The keys are stored wrapped under the master key from the config (see `keyWrapper`).
 */
export interface PersonalDataKeys {
  /**
   * Whether new keys are written by the appends that bring them, in the append's own transaction
   * (the log is in this database); otherwise `store` writes them before the append.
   */
  readonly writtenByAppends: boolean;
  /**
   * Each subject's key (null when destroyed), and the keys made for subjects that had none, not
   * yet stored. A subject marked new gets a key without a lookup (its event introduces it).
   */
  keysForSealing(subjects: readonly SealingSubject[]): Promise<{
    readonly keys: ReadonlyMap<string, Buffer | null>;
    readonly created: readonly SealingKey[];
  }>;
  /** Writes keys made for sealing, before the append that needs them (the log is elsewhere). */
  store(created: readonly SealingKey[]): Promise<void>;
  /** The keys are stored (their append was accepted): later seals and opens use them. */
  stored(created: readonly SealingKey[]): void;
  /** The append that carried the keys was not accepted: they exist nowhere. */
  dropped(created: readonly SealingKey[]): void;
  /**
   * Each subject's key; null when destroyed or never made (absent instead, for a subject with no
   * row, when `absentIsUnknown`).
   */
  keysForOpening(
    subjects: readonly string[],
    options?: { readonly absentIsUnknown?: boolean },
  ): Promise<ReadonlyMap<string, Buffer | null>>;
  /** The subject's key if this process holds it (null: destroyed); undefined when it must be looked up. */
  keyNow(subject: string): Buffer | null | undefined;
  /** Destroys a subject's key, or every key of an owner (and those it would get later). */
  destroy(target: ErasureTarget): Promise<void>;
  /** Forgets cached keys another process destroyed (its erasure event reached this one). */
  forget(target: ErasureTarget): void;
}

/** A key made for sealing, as stored: wrapped under the master key, never in the clear. */
export interface SealingKey {
  readonly subject: string;
  readonly owner: string;
  readonly wrappedKey: Buffer;
}

export interface SealingSubject {
  readonly subject: string;
  readonly owner: string;
  /** The event introduces the subject (a new message, a registration): it cannot have a key yet. */
  readonly isNew?: boolean;
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

export class MasterKeyMismatchError extends Error {
  override readonly name = 'MasterKeyMismatchError';
  constructor() {
    super(
      'PERSONAL_DATA_KEY does not open the stored personal-data keys: it is not the key they were made with',
    );
  }
}

/**
 * Keys are stored wrapped under the master key: AES-256 on each 16-byte block of the (random)
 * key, then on a fixed check block, with one cipher context for the life of the process (a
 * context per key cost more than the rest of sealing a message). The check block is what tells a
 * wrong master key from a right one; a key is random, so its blocks reveal nothing, and the
 * ciphertext it seals names its subject itself (see personal-data.ts), so a row moved to another
 * subject opens nothing.
 */
const CHECK_BLOCK = Buffer.from('personal-data-k1', 'latin1');
const WRAPPED_BYTES = 48;

interface KeyWrapper {
  wrap(key: Buffer): Buffer;
  unwrap(wrapped: Buffer): Buffer;
}

function keyWrapper(masterKey: Buffer): KeyWrapper {
  const encrypt = createCipheriv('aes-256-ecb', masterKey, null).setAutoPadding(false);
  const decrypt = createDecipheriv('aes-256-ecb', masterKey, null).setAutoPadding(false);
  return {
    wrap: (key) => encrypt.update(Buffer.concat([key, CHECK_BLOCK])),
    unwrap(wrapped) {
      if (wrapped.length !== WRAPPED_BYTES) throw new MasterKeyMismatchError();
      const plain = decrypt.update(wrapped);
      if (!plain.subarray(32).equals(CHECK_BLOCK)) throw new MasterKeyMismatchError();
      return plain.subarray(0, 32);
    },
  };
}

/** Creates the table if needed and returns the keys of this database, wrapped under `masterKey`. */
export async function openPersonalDataKeys(
  pool: pg.Pool,
  masterKey: Buffer,
  options: {
    /**
     * The log is a PostgreSQL store in this database: appends write the keys they bring (schema
     * version 4 of the store), so a new key costs no statement of its own.
     */
    readonly writtenByAppends?: boolean;
  } = {},
): Promise<PersonalDataKeys> {
  await migrate(pool, 'personal-data', migrations);
  const wrapper = keyWrapper(masterKey);
  const cache = new Map<string, { key: Buffer | null; owner: string }>();
  const erasedOwners = new Set<string>();
  /** Keys made for sealing whose append has not ended: a second seal of the subject reuses them. */
  const pending = new Map<string, { readonly key: Buffer; readonly row: SealingKey }>();
  const unwrapped = new WeakMap<SealingKey, Buffer>();
  const remember = (subject: string, owner: string, key: Buffer | null) => {
    cache.delete(subject);
    cache.set(subject, { key: erasedOwners.has(owner) ? null : key, owner });
    trimOldest(cache, CACHE_SIZE);
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
  const create = (subject: string, owner: string) => {
    const key = randomPiece(32);
    const row: SealingKey = { subject, owner, wrappedKey: wrapper.wrap(key) };
    unwrapped.set(row, key);
    pending.set(subject, { key, row });
    return { key, row };
  };

  /*
   * Without the log in this database, new keys are inserted before their append, by one statement
   * at a time: the requests that arrive while it runs go together in the next (as appends do).
   */
  const queued: { rows: readonly SealingKey[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let inserting = false;
  /** Subjects whose key was born destroyed (their owner was erased): `stored` caches them so. */
  const bornDestroyed = new Set<string>();
  const insertAll = async (rows: readonly SealingKey[]) => {
    const { rows: settled } = await pool.query<{ subject_id: string; outcome: 'erased' | 'conflict' }>({
      name: 'personal-data-keys-insert',
      text: `WITH inserted AS (
         INSERT INTO personal_data_keys (subject_id, owner_id, wrapped_key, erased_at)
         SELECT n.subject_id, n.owner_id,
                CASE WHEN e.owner_id IS NULL THEN n.wrapped_key END,
                CASE WHEN e.owner_id IS NULL THEN NULL ELSE now() END
           FROM unnest($1::text[], $2::text[], $3::bytea[]) AS n (subject_id, owner_id, wrapped_key)
           LEFT JOIN personal_data_erased_owners e ON e.owner_id = n.owner_id
         ON CONFLICT (subject_id) DO NOTHING
         RETURNING subject_id, wrapped_key IS NULL AS erased)
       SELECT subject_id, 'erased' AS outcome FROM inserted WHERE erased
       UNION ALL
       SELECT n.subject_id, CASE WHEN k.wrapped_key IS NULL THEN 'erased' ELSE 'conflict' END
         FROM unnest($1::text[], $3::bytea[]) AS n (subject_id, wrapped_key)
         JOIN personal_data_keys k ON k.subject_id = n.subject_id
        WHERE n.subject_id NOT IN (SELECT subject_id FROM inserted)
          AND k.wrapped_key IS DISTINCT FROM n.wrapped_key`,
      values: [
        rows.map((row) => row.subject),
        rows.map((row) => row.owner),
        rows.map((row) => row.wrappedKey),
      ],
    });
    for (const row of settled) if (row.outcome === 'erased') bornDestroyed.add(row.subject_id);
    return new Set(settled.flatMap((row) => (row.outcome === 'conflict' ? [row.subject_id] : [])));
  };
  const drain = async () => {
    inserting = true;
    while (queued.length > 0) {
      const batch = queued.splice(0);
      const rows = [...new Map(batch.flatMap((each) => each.rows.map((row) => [row.subject, row]))).values()];
      try {
        const conflicting = await insertAll(rows);
        for (const { rows, resolve, reject } of batch) {
          if (rows.some((row) => conflicting.has(row.subject))) reject(new SealingKeyConflictError());
          else resolve();
        }
      } catch (error) {
        for (const { reject } of batch) reject(error);
      }
    }
    inserting = false;
  };

  const keys: PersonalDataKeys = {
    writtenByAppends: options.writtenByAppends ?? false,

    async keysForSealing(subjects) {
      const found = new Map<string, Buffer | null>();
      const created = new Map<string, SealingKey>();
      const lookUp = new Map<string, string>();
      for (const { subject, owner, isNew } of subjects) {
        if (found.has(subject) || lookUp.has(subject)) continue;
        const cached = cache.get(subject);
        const waiting = pending.get(subject);
        if (cached) found.set(subject, cached.key);
        else if (erasedOwners.has(owner)) found.set(subject, null);
        else if (waiting) {
          found.set(subject, waiting.key);
          created.set(subject, waiting.row);
        } else if (isNew) {
          const { key, row } = create(subject, owner);
          found.set(subject, key);
          created.set(subject, row);
        } else lookUp.set(subject, owner);
      }
      if (lookUp.size > 0) {
        const stored = await keys.keysForOpening([...lookUp.keys()], { absentIsUnknown: true });
        for (const [subject, owner] of lookUp) {
          const key = stored.get(subject);
          // Another seal may have made it while this one looked.
          const waiting = pending.get(subject);
          if (key !== undefined) found.set(subject, key);
          else if (waiting) {
            found.set(subject, waiting.key);
            created.set(subject, waiting.row);
          } else {
            const made = create(subject, owner);
            found.set(subject, made.key);
            created.set(subject, made.row);
          }
        }
      }
      return { keys: found, created: [...created.values()] };
    },

    store: (created) =>
      new Promise<void>((resolve, reject) => {
        queued.push({ rows: created, resolve, reject });
        if (!inserting) void drain();
      }),

    stored(created) {
      for (const row of created) {
        if (pending.get(row.subject)?.row === row) pending.delete(row.subject);
        remember(
          row.subject,
          row.owner,
          bornDestroyed.delete(row.subject) ? null : (unwrapped.get(row) ?? null),
        );
      }
    },

    dropped(created) {
      for (const row of created) if (pending.get(row.subject)?.row === row) pending.delete(row.subject);
    },

    async keysForOpening(subjects, lookUpOptions = {}) {
      const keys = new Map<string, Buffer | null>();
      const missing: string[] = [];
      for (const subject of subjects) {
        const cached = cache.get(subject);
        // A key this process made, whose append may be committed before `stored` is told: the
        // log hands the process its own appends at once.
        const made = cached ? undefined : pending.get(subject);
        if (cached) keys.set(subject, cached.key);
        else if (made) keys.set(subject, made.key);
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
        const key = row.wrapped_key === null ? null : wrapper.unwrap(row.wrapped_key);
        remember(row.subject_id, row.owner_id, key);
        keys.set(row.subject_id, cache.get(row.subject_id)!.key);
      }
      if (!lookUpOptions.absentIsUnknown)
        for (const subject of missing) if (!keys.has(subject)) keys.set(subject, null);
      return keys;
    },

    keyNow(subject) {
      const cached = cache.get(subject);
      return cached ? cached.key : pending.get(subject)?.key;
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

/**
 * A key made for sealing met another one stored for its subject (a subject wrongly taken for
 * new): nothing was written. Sealing again with the stored key succeeds.
 */
export class SealingKeyConflictError extends Error {
  override readonly name = 'SealingKeyConflictError';
  constructor() {
    super('a key made for sealing met another one stored for its subject');
  }
}
