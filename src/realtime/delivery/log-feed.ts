import type { LogReader, LoggedEvent } from '../../log.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { retryDelayMs, type RetryPolicy } from '../../platform/backoff.js';

/** The node's place in the process's shared log. */
export interface LogFeed {
  /** Position of the last event handed to `onEvent` (the start position before the first one). */
  readonly position: bigint;
  /** Ends the subscription; resolves once no more events will be handed out. */
  stop(): Promise<void>;
}

const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 10_000 };

/**
 * Follows the shared log after `after` and hands every event, in order and once, to `onEvent`
 * (which must not throw). When reading fails, logs it and carries on with backoff from the last
 * position handed out; it never gives up and never rejects.
 */
export function startLogFeed(deps: {
  log: LogReader;
  after: bigint;
  onEvent: (event: LoggedEvent) => void;
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
        for await (const batch of deps.log.batches(position, signal)) {
          for (const event of batch) {
            if (event.position <= position) continue;
            position = event.position;
            deps.onEvent(event);
          }
          failures = 0;
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
