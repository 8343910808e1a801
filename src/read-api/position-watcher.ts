import type pg from 'pg';
import { checkpointPositions } from '../read-models/checkpoints.js';

export interface PositionWatcher {
  /** Resolves true once every read model has applied the log up to `position`, false on timeout. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean>;
  close(): void;
}

/**
 * One poll loop per process, running only while somebody waits, however many requests wait:
 * it reads the slowest projection's checkpoint and releases every waiter it has passed.
 */
export function createPositionWatcher(options: {
  pool: pg.Pool;
  projections: readonly string[];
  pollMs?: number;
}): PositionWatcher {
  const pollMs = options.pollMs ?? 15;
  const waiters = new Set<{ position: bigint; resolve: (reached: boolean) => void; timer: NodeJS.Timeout }>();
  let reached = 0n;
  let polling = false;
  let closed = false;

  async function slowestCheckpoint(): Promise<bigint> {
    const positions = [...(await checkpointPositions(options.pool, options.projections)).values()];
    if (positions.length < options.projections.length) return 0n;
    return positions.reduce((min, position) => (position < min ? position : min), positions[0]!);
  }

  function release(): void {
    for (const waiter of waiters) {
      if (waiter.position <= reached) {
        clearTimeout(waiter.timer);
        waiters.delete(waiter);
        waiter.resolve(true);
      }
    }
  }

  async function poll(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      while (waiters.size > 0 && !closed) {
        try {
          reached = await slowestCheckpoint();
          release();
        } catch {
          // A failed poll is retried; waiters still time out on their own.
        }
        if (waiters.size > 0) await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    } finally {
      polling = false;
    }
  }

  return {
    waitFor(position, timeoutMs) {
      if (position <= reached) return Promise.resolve(true);
      return new Promise((resolve) => {
        const waiter = {
          position,
          resolve,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            resolve(false);
          }, timeoutMs),
        };
        waiters.add(waiter);
        void poll();
      });
    },
    close() {
      closed = true;
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.resolve(false);
      }
      waiters.clear();
    },
  };
}
