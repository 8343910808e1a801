import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { SharedLog } from '../eventstore/shared-log.js';
import type { Logger } from '../platform/logger.js';
import { inTransaction } from '../platform/transactions.js';
import { applyEvents } from './apply-batch.js';
import type { Projection } from './projection.js';

export interface ProjectorDeps {
  /** The process's one reader of the log. */
  readonly log: SharedLog;
  readonly pool: pg.Pool;
  readonly logger: Logger;
  /** How often a standby projector retries for the lock, and a failed one restarts. */
  readonly retryDelayMs?: number;
}

async function readCheckpoint(pool: pg.Pool, name: string): Promise<bigint> {
  const { rows } = await pool.query<{ position: string }>(
    'SELECT position FROM projection_checkpoints WHERE name = $1',
    [name],
  );
  return rows[0] ? BigInt(rows[0].position) : 0n;
}

/**
 * Holds the projection's session advisory lock (one active projector per projection across all
 * processes) on a dedicated connection; resolves false if aborted before getting it.
 */
async function acquireLeadership(
  pool: pg.Pool,
  name: string,
  signal: AbortSignal,
  retryDelayMs: number,
): Promise<pg.PoolClient | undefined> {
  const client = await pool.connect();
  try {
    while (!signal.aborted) {
      const { rows } = await client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock(hashtext('chat-backend:projection'), hashtext($1)) AS locked",
        [name],
      );
      if (rows[0]?.locked) return client;
      await sleep(retryDelayMs, undefined, { signal }).catch(() => undefined);
    }
  } catch (error) {
    client.release(true);
    throw error;
  }
  client.release();
  return undefined;
}

async function project(projection: Projection, deps: ProjectorDeps, signal: AbortSignal): Promise<void> {
  const retryDelayMs = deps.retryDelayMs ?? 1000;
  const leader = await acquireLeadership(deps.pool, projection.name, signal, retryDelayMs);
  if (!leader) return;
  // If the lock connection dies, the lock is gone: stop, and start over from the checkpoint.
  const lost = new AbortController();
  const onError = () => lost.abort();
  leader.on('error', onError);
  const stop = AbortSignal.any([signal, lost.signal]);
  try {
    const after = await readCheckpoint(deps.pool, projection.name);
    deps.logger.info({ projection: projection.name, after: after.toString() }, 'projector started');
    for await (const batch of deps.log.batches(after, stop)) {
      await inTransaction(deps.pool, (client) => applyEvents(client, projection, batch));
    }
  } finally {
    leader.off('error', onError);
    if (lost.signal.aborted) leader.release(true);
    else {
      await leader
        .query("SELECT pg_advisory_unlock(hashtext('chat-backend:projection'), hashtext($1))", [
          projection.name,
        ])
        .catch(() => undefined);
      leader.release();
    }
  }
}

export interface RunningProjectors {
  stop(): Promise<void>;
}

/** Runs each projection until stopped, restarting one that fails after a delay. */
export function startProjectors(projections: readonly Projection[], deps: ProjectorDeps): RunningProjectors {
  const controller = new AbortController();
  const { signal } = controller;
  const retryDelayMs = deps.retryDelayMs ?? 1000;
  const loops = projections.map(async (projection) => {
    while (!signal.aborted) {
      try {
        await project(projection, deps, signal);
      } catch (error) {
        if (signal.aborted) break;
        deps.logger.error({ err: error, projection: projection.name }, 'projector failed; restarting');
      }
      await sleep(retryDelayMs, undefined, { signal }).catch(() => undefined);
    }
  });
  return {
    async stop() {
      controller.abort();
      await Promise.all(loops);
    },
  };
}
