import type { Pool } from 'pg';
import type { RecordedEvent, SubscribeOptions } from '../port.js';
import type { AppendNotifications } from './notifications.js';
import type { RecentAppends } from './recent-appends.js';
import { checkPosition, readEvents } from './read.js';

export interface SubscriptionContext {
  readonly pool: Pool;
  readonly notifications: AppendNotifications;
  /** Events read per query; also the most a subscription holds in memory. */
  readonly batchSize: number;
  /** Longest wait between reads when no notification arrives. */
  readonly pollIntervalMs: number;
  /** Events this instance wrote, taken from memory instead of read back. */
  readonly recent: RecentAppends;
  /** Resolves when this instance's append statement in flight, if any, has ended. */
  readonly currentAppend: () => Promise<void>;
  /** Aborted when the store closes. */
  readonly closing: AbortSignal;
}

/** One signal that aborts when either of the given ones does; `dispose` drops the listeners. */
function linkSignals(a: AbortSignal, b: AbortSignal | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  const sources = b === undefined ? [a] : [a, b];
  for (const source of sources) {
    if (source.aborted) controller.abort();
    else source.addEventListener('abort', abort, { once: true });
  }
  return {
    signal: controller.signal,
    dispose: () => sources.forEach((source) => source.removeEventListener('abort', abort)),
  };
}

/**
 * Catch-up then live, by one loop: take the next events from what this instance itself committed,
 * or read the next batch above the cursor; when there is nothing, sleep until a notification, a
 * (re)connection of the listener, or the fallback poll. Reading strictly above the last delivered
 * position is complete and exactly-once because positions become visible in order with no gaps
 * (see append-batch.ts). The table is read only when something may be there: a notification
 * announced a head above the cursor, the listener (re)connected, or the poll came round.
 */
export async function* subscribeToAll(
  context: SubscriptionContext,
  options: SubscribeOptions,
): AsyncGenerator<RecordedEvent, void, undefined> {
  const { signal, dispose } = linkSignals(context.closing, options.signal);
  const release = signal.aborted ? () => undefined : context.notifications.acquire();
  const { notifications } = context;
  try {
    try {
      await checkPosition(context.pool, options.after);
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    let cursor = options.after ?? 0n;
    let mustRead = true;
    let connections = notifications.connections;
    while (!signal.aborted) {
      // Taken before looking, so a notification that lands meanwhile is not slept through.
      const seen = notifications.generation;
      const own = context.recent.after(cursor, context.batchSize);
      if (own.length > 0) {
        for (const event of own) {
          if (signal.aborted) return;
          yield event;
          cursor = event.position;
        }
        continue;
      }
      if (notifications.connections !== connections) {
        connections = notifications.connections;
        mustRead = true;
      }
      if (!mustRead && notifications.latestHead > cursor) {
        // The notification is often of this instance's own append, whose result is still on its
        // way: wait for it, and the events may be in memory after all.
        await context.currentAppend();
        if (context.recent.after(cursor, 1).length > 0) continue;
      }
      if (mustRead || notifications.latestHead > cursor) {
        let batch: RecordedEvent[];
        try {
          batch = await readEvents(context.pool, { after: cursor, maxCount: context.batchSize });
        } catch (error) {
          if (signal.aborted) return;
          throw error;
        }
        for (const event of batch) {
          if (signal.aborted) return;
          yield event;
          cursor = event.position;
        }
        mustRead = batch.length === context.batchSize;
        if (batch.length > 0) continue;
      }
      await notifications.wait(seen, context.pollIntervalMs, signal);
      // Nothing woke it before the poll interval: look at the table once.
      if (notifications.generation === seen) mustRead = true;
    }
  } finally {
    release();
    dispose();
  }
}
