import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { LogStore, LoggedEvent } from '../log.js';
import { migrateStoreIdentity, recordProjectionStore } from '../eventstore/store-identity.js';
import { inTransaction } from '../platform/transactions.js';
import { applyPast } from './apply-batch.js';
import { setCheckpoint } from '../read-models/checkpoints.js';
import type { Projection } from '../read-models/projection.js';
import {
  analyzeShadow,
  lockLiveTables,
  openShadow,
  saveShadowPosition,
  swapShadowIn,
  useShadow,
  type Shadow,
} from './shadow.js';

/*
 * Blue/green rebuild: the log is replayed into shadow tables (see shadow.ts) in batches, each its
 * own transaction that also moves the shadow's checkpoint, while the live tables keep serving and
 * the live projector keeps following the log. Once the shadow is within a batch of the head, one
 * transaction locks the live tables, applies the rest of the log to the shadow, moves the shadow
 * tables in, and sets the projection's checkpoint to the shadow's: the running projector finds its
 * checkpoint moved and carries on from there. An interrupted rebuild resumes from the shadow's
 * checkpoint.
 */

const REBUILD_LOCK = "hashtext('chat-backend:rebuild'), hashtext($1)";
/** How long the swap may wait for the live tables (readers queue behind it meanwhile) before trying again. */
const SWAP_LOCK_TIMEOUT_MS = 2000;
const SWAP_ATTEMPTS = 10;

export interface RebuildProgress {
  readonly projection: string;
  /** `copying` after each batch written to the shadow; `swapped` once, at the end. */
  readonly phase: 'started' | 'copying' | 'swapped';
  /** The shadow's position when this run started: 0, or where an interrupted rebuild stopped. */
  readonly from: bigint;
  readonly position: bigint;
  /** The head of the log, as last seen. */
  readonly head: bigint;
  /** Events read from the log by this run. */
  readonly events: number;
}

export interface RebuildDeps {
  readonly store: LogStore;
  readonly pool: pg.Pool;
  /** Events per batch (and per transaction); default 5000. */
  readonly batchSize?: number;
  /** Throw away the shadow an interrupted rebuild left, and start from the beginning of the log. */
  readonly restart?: boolean;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Stops after the batch being written; the shadow stays, for the next rebuild to resume. */
  readonly signal?: AbortSignal;
}

export class RebuildAlreadyRunning extends Error {
  override readonly name = 'RebuildAlreadyRunning';
}

/** Rebuilds one projection from the log; returns the position its tables are at after the swap. */
export async function rebuildProjection(projection: Projection, deps: RebuildDeps): Promise<bigint> {
  const guard = await deps.pool.connect();
  try {
    const { rows } = await guard.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(${REBUILD_LOCK}) AS locked`,
      [projection.name],
    );
    if (!rows[0]?.locked)
      throw new RebuildAlreadyRunning(`a rebuild of ${projection.name} is already running`);
    try {
      const livePath = (await guard.query<{ search_path: string }>('SHOW search_path')).rows[0]!.search_path;
      const shadow = await openShadow(deps.pool, projection, { restart: deps.restart });
      return await replay(shadow, livePath, deps);
    } finally {
      // A connection that failed has lost the lock already; its error is the one to report.
      await guard
        .query(`SELECT pg_advisory_unlock(${REBUILD_LOCK})`, [projection.name])
        .catch(() => undefined);
    }
  } finally {
    guard.release();
  }
}

async function replay(shadow: Shadow, livePath: string, deps: RebuildDeps): Promise<bigint> {
  const batchSize = deps.batchSize ?? 5000;
  const started = { projection: shadow.projection.name, from: shadow.position };
  let position = shadow.position;
  const identity = await deps.store.identity();
  await migrateStoreIdentity(deps.pool);
  let head = await deps.store.headPosition();
  let events = 0;
  deps.onProgress?.({ ...started, phase: 'started', position, head, events });

  // The next batch is read while the current one is written.
  const read = (after: bigint) => {
    const next = Promise.all([
      deps.store.readAll({
        after,
        maxCount: batchSize,
        personalDataOf: shadow.projection.readsPersonalData ?? shadow.projection.handles,
      }),
      deps.store.headPosition(),
    ]);
    next.catch(() => undefined); // awaited below, or abandoned when this run stops
    return next;
  };
  let next = read(position);
  for (;;) {
    if (deps.signal?.aborted) throw deps.signal.reason;
    const [batch, seenHead] = await next;
    head = seenHead;
    // Within a batch of the head: the rest is applied by the swap, under its lock.
    if (batch.length < batchSize) break;
    next = read(batch.at(-1)!.position);
    position = await inTransaction(deps.pool, async (client) => {
      await useShadow(client, shadow, livePath);
      const moved = await applyPast(client, shadow.projection, position, batch);
      await saveShadowPosition(client, shadow, moved);
      return moved;
    });
    events += batch.length;
    deps.onProgress?.({ ...started, phase: 'copying', position, head, events });
  }

  await analyzeShadow(deps.pool, shadow);
  for (let attempt = 1; ; attempt++) {
    try {
      const swapped = await inTransaction(deps.pool, async (client) => {
        await client.query(`SET LOCAL lock_timeout = ${SWAP_LOCK_TIMEOUT_MS}`);
        const live = await lockLiveTables(client, shadow);
        await useShadow(client, shadow, livePath);
        const caughtUp = await catchUp(client, shadow, position, batchSize, deps.store);
        await client.query(`SET LOCAL search_path TO ${livePath}`);
        await swapShadowIn(client, shadow, live);
        await setCheckpoint(client, shadow.projection.name, caughtUp.position);
        // Built from this store now, whichever built it before (see store-identity.ts).
        await recordProjectionStore(client, shadow.projection.name, identity);
        return caughtUp;
      });
      events += swapped.events;
      position = swapped.position;
      head = position > head ? position : head;
      deps.onProgress?.({ ...started, phase: 'swapped', position, head, events });
      return position;
    } catch (error) {
      if (!isLockConflict(error) || attempt === SWAP_ATTEMPTS) throw error;
      await sleep(100 * attempt);
    }
  }
}

/** Applies the log from `position` to its head to the shadow, within the caller's transaction. */
async function catchUp(
  client: pg.ClientBase,
  shadow: Shadow,
  position: bigint,
  batchSize: number,
  store: LogStore,
): Promise<{ position: bigint; events: number }> {
  let events = 0;
  for (;;) {
    const batch: LoggedEvent[] = await store.readAll({
      after: position,
      maxCount: batchSize,
      personalDataOf: shadow.projection.readsPersonalData ?? shadow.projection.handles,
    });
    if (batch.length === 0) return { position, events };
    position = await applyPast(client, shadow.projection, position, batch);
    events += batch.length;
  }
}

/** The swap waited too long for the live tables, or deadlocked with a projector's batch: try again. */
function isLockConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '55P03' || code === '40P01';
}
