import type { Pool } from 'pg';
import type { RecordedEvent, SubscribeOptions } from '../port.js';
import type { AppendNotifications } from './notifications.js';
import { readAll } from './read.js';

export interface SubscriptionContext {
  readonly pool: Pool;
  readonly notifications: AppendNotifications;
  /** Events read per query; also the most a subscription holds in memory. */
  readonly batchSize: number;
  /** Longest wait between reads when no notification arrives. */
  readonly pollIntervalMs: number;
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
 * Catch-up then live, by the same loop: read the next batch above the cursor; when the log is
 * exhausted, sleep until a notification, a (re)connection of the listener, or the fallback poll.
 * Reading strictly above the last delivered position is complete and exactly-once because
 * positions become visible in order with no gaps (see append-batch.ts).
 */
export async function* subscribeToAll(
  context: SubscriptionContext,
  options: SubscribeOptions,
): AsyncGenerator<RecordedEvent, void, undefined> {
  const { signal, dispose } = linkSignals(context.closing, options.signal);
  const release = signal.aborted ? () => undefined : context.notifications.acquire();
  try {
    let cursor = options.after ?? 0n;
    while (!signal.aborted) {
      // Taken before reading, so a notification that lands during the read is not slept through.
      const seen = context.notifications.generation;
      let batch: RecordedEvent[];
      try {
        batch = await readAll(context.pool, { after: cursor, maxCount: context.batchSize });
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
      for (const event of batch) {
        if (signal.aborted) return;
        yield event;
        cursor = event.position;
      }
      if (batch.length < context.batchSize) {
        await context.notifications.wait(seen, context.pollIntervalMs, signal);
      }
    }
  } finally {
    release();
    dispose();
  }
}
