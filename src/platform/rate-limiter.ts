import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Migration } from './migrate.js';

/** At most `limit` hits per key in a fixed window of `windowSeconds`, starting at the first hit. */
export interface RateRule {
  readonly limit: number;
  readonly windowSeconds: number;
}

export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * Counters kept in PostgreSQL, so that every API process sees the same counts. Each hit is one
 * atomic upsert: concurrent requests can never all slip under the limit together.
 */
export interface RateLimiter {
  /** Counts a hit on the key and says whether it is within the rule. */
  hit(key: string, rule: RateRule): Promise<RateDecision>;
  /** Takes back one hit of the current window (a hit that turned out not to count). */
  refund(key: string): Promise<void>;
  /** Forgets the keys' counts. */
  reset(keys: readonly string[]): Promise<void>;
  /** Remembers the key for `seconds` (from now, again if already remembered). */
  mark(key: string, seconds: number): Promise<void>;
  /** Whether the key is remembered. */
  isMarked(key: string): Promise<boolean>;
}

/**
 * The counters' table: fixed-window counters shared by every API process (login and mail limits).
 * Applied with the read-model migrations (read-models/migrations.ts), once by id and never
 * compared again, so its text, spacing included, stays as it is.
 */
export const rateLimitCountersMigration: Migration = {
  id: '002-accounts',
  sql: `
      CREATE TABLE rate_limit_counters (
        key text PRIMARY KEY,
        hits integer NOT NULL,
        window_ends_at timestamptz NOT NULL
      );
      CREATE INDEX rate_limit_counters_by_window_end ON rate_limit_counters (window_ends_at);
    `,
};

/** Expired rows are swept after this many hits, so the table stays small without a timer. */
const SWEEP_EVERY = 500;

/** Keys name emails and addresses: only their digests are stored, so no table keeps an erased email. */
const stored = (key: string) => createHash('sha256').update(key).digest('base64url');

export function createRateLimiter(pool: pg.Pool): RateLimiter {
  let hitsSinceSweep = 0;
  return {
    async hit(key, rule) {
      if (++hitsSinceSweep >= SWEEP_EVERY) {
        hitsSinceSweep = 0;
        await pool.query('DELETE FROM rate_limit_counters WHERE window_ends_at < now()');
      }
      const { rows } = await pool.query<{ hits: number; retry_after: number }>(
        `INSERT INTO rate_limit_counters AS c (key, hits, window_ends_at)
         VALUES ($1, 1, now() + make_interval(secs => $2))
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN c.window_ends_at <= now() THEN 1 ELSE c.hits + 1 END,
           window_ends_at = CASE WHEN c.window_ends_at <= now() THEN EXCLUDED.window_ends_at
                                 ELSE c.window_ends_at END
         RETURNING hits, ceil(extract(epoch FROM window_ends_at - now()))::integer AS retry_after`,
        [stored(key), rule.windowSeconds],
      );
      const row = rows[0];
      if (!row || row.hits <= rule.limit) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, row.retry_after) };
    },
    async refund(key) {
      await pool.query(
        `UPDATE rate_limit_counters SET hits = hits - 1
         WHERE key = $1 AND hits > 0 AND window_ends_at > now()`,
        [stored(key)],
      );
    },
    async reset(keys) {
      if (keys.length === 0) return;
      await pool.query('DELETE FROM rate_limit_counters WHERE key = ANY($1::text[])', [keys.map(stored)]);
    },
    async mark(key, seconds) {
      await pool.query(
        `INSERT INTO rate_limit_counters (key, hits, window_ends_at) VALUES ($1, 1, now() + make_interval(secs => $2))
         ON CONFLICT (key) DO UPDATE SET window_ends_at = EXCLUDED.window_ends_at`,
        [stored(key), seconds],
      );
    },
    async isMarked(key) {
      const { rows } = await pool.query(
        'SELECT 1 FROM rate_limit_counters WHERE key = $1 AND window_ends_at > now()',
        [stored(key)],
      );
      return rows.length > 0;
    },
  };
}
