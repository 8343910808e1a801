import type { LogReader } from '../log.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { Logger } from '../platform/logger.js';
import { withEventsSpan, type Tracing } from '../platform/tracing.js';
import { inTransaction } from '../platform/transactions.js';
import { applyPast } from './apply-batch.js';
import { moveCheckpoints, openCheckpoints } from '../read-models/checkpoints.js';
import type { Projection } from '../read-models/projection.js';

export interface ProjectorDeps {
  /** The process's one reader of the log. */
  readonly log: LogReader;
  readonly pool: pg.Pool;
  readonly logger: Logger;
  /** How often a standby projector retries for the locks, and a failed one restarts. */
  readonly retryDelayMs?: number;
  /** A span per projection per batch, continuing the traces stored in the events. */
  readonly tracing?: Tracing | undefined;
}

/*
 * One active projector per projection across all processes, each held by a session advisory lock
 * on a dedicated connection. A process runs every projection it leads together: one transaction
 * per batch of the log writes all their changes and moves all their checkpoints, in one statement
 * that also checks each checkpoint is where this process left it (a rebuild, or a projector that
 * took over, moves it: then this batch rolls back and the projector starts again from the
 * checkpoints). Projections led elsewhere are tried for again every `retryDelayMs`.
 */

const LOCK = "pg_try_advisory_lock(hashtext('chat-backend:projection'), hashtext($1))";
const UNLOCK = "pg_advisory_unlock(hashtext('chat-backend:projection'), hashtext($1))";

class CheckpointMoved extends Error {
  override readonly name = 'CheckpointMoved';
}

/** A batch that deadlocked with a rebuild swapping its tables in: the swap has won; start again. */
function isDeadlock(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '40P01';
}

async function tryLock(leader: pg.PoolClient, names: readonly string[]): Promise<string[]> {
  const won: string[] = [];
  for (const name of names) {
    const { rows } = await leader.query<{ locked: boolean }>(`SELECT ${LOCK} AS locked`, [name]);
    if (rows[0]?.locked) won.push(name);
  }
  return won;
}

/** Follows the log for the projections this process leads until `stop` aborts or a checkpoint moves. */
async function project(led: readonly Projection[], deps: ProjectorDeps, stop: AbortSignal): Promise<void> {
  const names = led.map((projection) => projection.name);
  const checkpoints = await openCheckpoints(deps.pool, names);
  const from = [...checkpoints.values()].reduce((low, position) => (position < low ? position : low));
  deps.logger.info({ projections: names, after: from.toString() }, 'projectors started');
  for await (const batch of deps.log.batches(from, stop)) {
    const next = await inTransaction(deps.pool, async (client) => {
      const moved = new Map<string, { from: bigint; to: bigint }>();
      for (const projection of led) {
        const previous = checkpoints.get(projection.name) ?? 0n;
        const position = await withEventsSpan(
          deps.tracing,
          `projection ${projection.name}`,
          () => batch.filter((event) => event.position > previous && projection.handles.has(event.type)),
          { 'chat.projection': projection.name },
          () => applyPast(client, projection, previous, batch),
        );
        if (position > previous) moved.set(projection.name, { from: previous, to: position });
      }
      if (moved.size === 0) return moved;
      if (!(await moveCheckpoints(client, moved))) {
        throw new CheckpointMoved('a checkpoint was moved by someone else');
      }
      return moved;
    });
    for (const [name, { to }] of next) checkpoints.set(name, to);
  }
}

async function releaseLocks(leader: pg.PoolClient, names: readonly string[]): Promise<void> {
  for (const name of names) await leader.query(`SELECT ${UNLOCK}`, [name]);
}

/** One leadership term: wins what locks it can, projects those, widens when it wins more. */
async function lead(
  projections: readonly Projection[],
  deps: ProjectorDeps,
  signal: AbortSignal,
): Promise<void> {
  const retryDelayMs = deps.retryDelayMs ?? 1000;
  const leader = await deps.pool.connect();
  const lost = new AbortController();
  const onError = (): void => lost.abort();
  leader.on('error', onError);
  const held: string[] = [];
  try {
    while (!signal.aborted && !lost.signal.aborted) {
      const missing = projections.filter((projection) => !held.includes(projection.name));
      held.push(
        ...(await tryLock(
          leader,
          missing.map((projection) => projection.name),
        )),
      );
      if (held.length === 0) {
        await sleep(retryDelayMs, undefined, { signal }).catch(() => undefined);
        continue;
      }
      const led = projections.filter((projection) => held.includes(projection.name));
      // Run until stopped, or until more locks are won (then run again with them).
      const widen = new AbortController();
      const stop = AbortSignal.any([signal, lost.signal, widen.signal]);
      const watcher =
        led.length === projections.length
          ? undefined
          : setInterval(() => {
              const others = projections.filter((projection) => !held.includes(projection.name));
              void tryLock(
                leader,
                others.map((projection) => projection.name),
              ).then(
                (won) => {
                  held.push(...won);
                  if (won.length > 0) widen.abort();
                },
                () => lost.abort(),
              );
            }, retryDelayMs);
      try {
        await project(led, deps, stop);
      } catch (error) {
        if (!(error instanceof CheckpointMoved) && !isDeadlock(error)) throw error;
        deps.logger.info(
          { projections: led.map((p) => p.name) },
          'a checkpoint moved; projecting again from it',
        );
      } finally {
        clearInterval(watcher);
      }
    }
  } finally {
    leader.off('error', onError);
    if (lost.signal.aborted) leader.release(true);
    else {
      await releaseLocks(leader, held).catch(() => undefined);
      leader.release();
    }
  }
}

export interface RunningProjectors {
  stop(): Promise<void>;
}

/** Runs the projections until stopped, starting again after a delay when a term fails. */
export function startProjectors(projections: readonly Projection[], deps: ProjectorDeps): RunningProjectors {
  const controller = new AbortController();
  const { signal } = controller;
  const retryDelayMs = deps.retryDelayMs ?? 1000;
  const loop = (async () => {
    while (!signal.aborted) {
      try {
        await lead(projections, deps, signal);
      } catch (error) {
        if (signal.aborted) break;
        deps.logger.error({ err: error }, 'projectors failed; restarting');
      }
      await sleep(retryDelayMs, undefined, { signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
