import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { EventStore, RecordedEvent } from '../eventstore/port.js';

/** The node's single subscription to the global log. */
export interface LogFeed {
  /** Position of the last event handed to `onEvent` (the start position before the first one). */
  readonly position: bigint;
  /** Ends the subscription; resolves once no more events will be handed out. */
  stop(): Promise<void>;
}

export interface RetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 10_000 };

/** Exponential backoff with full jitter on the upper half, so many nodes do not retry in step. */
export function retryDelayMs(
  failures: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Subscribes to the global log after `after` and hands every event, in order and once, to
 * `onEvent` (which must not throw). When the store fails, logs it and resubscribes with backoff
 * from the last position handed out; it never gives up and never rejects.
 */
export function startLogFeed(deps: {
  store: EventStore;
  after: bigint;
  onEvent: (event: RecordedEvent) => void;
  logger: Logger;
  retry?: RetryPolicy;
}): LogFeed {
  const retry = deps.retry ?? DEFAULT_RETRY;
  const controller = new AbortController();
  const { signal } = controller;
  let position = deps.after;

  async function run(): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        for await (const event of deps.store.subscribeToAll({ after: position, signal })) {
          if (event.position <= position) continue;
          position = event.position;
          failures = 0;
          deps.onEvent(event);
        }
        if (signal.aborted) return;
        throw new Error('the log subscription ended without being stopped');
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        const delayMs = retryDelayMs(failures, retry);
        deps.logger.error(
          { err: error, position: position.toString(), failures, retryInMs: delayMs },
          'realtime log subscription failed; resubscribing',
        );
        await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  const done = run();
  return {
    get position() {
      return position;
    },
    async stop() {
      controller.abort();
      await done;
    },
  };
}
