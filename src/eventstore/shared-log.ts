import { setTimeout as sleep } from 'node:timers/promises';
import { retryDelayMs, type RetryPolicy } from '../platform/backoff.js';
import type { EventShape, EventStore, EventStoreLogger, RawEvent, RecordedEvent } from './port.js';

/*
 * One reader of the global log per process. Projections, the realtime node and the command side's
 * caches used to each run their own subscription, each reading and decoding every event; now one
 * subscription follows the log from the head at start-up into a bounded window of recent events,
 * and every consumer near the head is served from that window in batches. A consumer further
 * behind (a projection catching up after a restart) reads the store itself until it reaches the
 * window, then joins it. Order and exactly-once come from the store's subscription, which the
 * window only replays.
 */

export interface SharedLogOptions {
  /** Recent events kept in memory (default 20,000). */
  readonly windowSize?: number;
  /** Most events per batch handed to a consumer (default 1,000). */
  readonly maxBatchSize?: number;
  readonly retry?: RetryPolicy;
}

/** Sees every event as the shared reader takes it in, before any consumer; must not throw. */
export type LogObserver<Event extends EventShape = RawEvent> = (event: RecordedEvent<Event>) => void;

export interface SharedLog<Event extends EventShape = RawEvent> {
  /** Position of the newest event taken in (the start position before the first). */
  readonly position: bigint;
  /**
   * Whether every event after `position` that the reader has taken in is still in the window,
   * so that `newestRevisionSeen` answers for all of them.
   */
  covers(position: bigint): boolean;
  /** The newest revision of `streamName` among the events in the window, if any. */
  newestRevisionSeen(streamName: string): bigint | undefined;
  observe(observer: LogObserver<Event>): void;
  /** Every event after `after`, in order and once, in batches; ends when `signal` aborts. */
  batches(after: bigint, signal: AbortSignal): AsyncIterable<readonly RecordedEvent<Event>[]>;
  stop(): Promise<void>;
}

/** Index of the first event with a position above `after` (events sorted by position). */
function firstAfter(events: readonly { readonly position: bigint }[], after: bigint): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (events[middle]!.position <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Starts following the log from its current head. */
export async function startSharedLog<Event extends EventShape>(
  store: EventStore<Event>,
  logger: EventStoreLogger,
  options: SharedLogOptions = {},
): Promise<SharedLog<Event>> {
  const windowSize = options.windowSize ?? 20_000;
  const maxBatchSize = options.maxBatchSize ?? 1_000;
  const retry = options.retry ?? { initialDelayMs: 100, maxDelayMs: 10_000 };
  const controller = new AbortController();
  const { signal } = controller;
  const observers: LogObserver<Event>[] = [];
  const start = await store.headPosition();

  // The window holds every event in (windowFrom, position], oldest first.
  let window: RecordedEvent<Event>[] = [];
  let windowFrom = start;
  let position = start;
  /** Per stream in the window, its newest event (removed when that event leaves the window). */
  const newestByStream = new Map<string, RecordedEvent<Event>>();
  let waiters: (() => void)[] = [];
  let wakeScheduled = false;

  const wakeAll = (): void => {
    wakeScheduled = false;
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };

  const arrived = (stop: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      if (stop.aborted) return resolve();
      waiters.push(resolve);
    });

  function takeIn(event: RecordedEvent<Event>): void {
    window.push(event);
    position = event.position;
    newestByStream.set(event.streamName, event);
    for (const observer of observers) observer(event);
    // Evicted in chunks, so the cost per event stays constant.
    if (window.length >= 2 * windowSize) {
      const evicted = window.slice(0, windowSize);
      window = window.slice(windowSize);
      windowFrom = evicted.at(-1)!.position;
      for (const old of evicted) {
        if (newestByStream.get(old.streamName) === old) newestByStream.delete(old.streamName);
      }
    }
    // One wake-up per burst of events, not one per event.
    if (!wakeScheduled) {
      wakeScheduled = true;
      setImmediate(wakeAll);
    }
  }

  async function follow(): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        for await (const event of store.subscribeToAll({ after: position, signal })) {
          if (event.position <= position) continue;
          failures = 0;
          takeIn(event);
        }
        if (signal.aborted) return;
        throw new Error('the log subscription ended without being stopped');
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        const delayMs = retryDelayMs(failures, retry);
        logger.error(
          { err: error, position: position.toString(), failures, retryInMs: delayMs },
          'shared log subscription failed; resubscribing',
        );
        await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  async function* batches(
    after: bigint,
    consumer: AbortSignal,
  ): AsyncGenerator<readonly RecordedEvent<Event>[]> {
    const stop = AbortSignal.any([signal, consumer]);
    stop.addEventListener('abort', wakeAll);
    let cursor = after;
    try {
      while (!stop.aborted) {
        if (cursor >= windowFrom) {
          const from = firstAfter(window, cursor);
          if (from < window.length) {
            const batch = window.slice(from, from + maxBatchSize);
            cursor = batch.at(-1)!.position;
            yield batch;
            continue;
          }
          await arrived(stop);
          continue;
        }
        // Behind the window: read the store until caught up with it.
        const batch = await store.readAll({ after: cursor, maxCount: maxBatchSize });
        if (stop.aborted) return;
        if (batch.length === 0) {
          // Nothing after the cursor at all, so nothing up to the window's start either.
          cursor = windowFrom;
          continue;
        }
        cursor = batch.at(-1)!.position;
        yield batch;
      }
    } finally {
      stop.removeEventListener('abort', wakeAll);
    }
  }

  const following = follow();
  return {
    get position() {
      return position;
    },
    covers: (from) => from >= windowFrom,
    newestRevisionSeen: (streamName) => newestByStream.get(streamName)?.revision,
    observe: (observer) => {
      observers.push(observer);
    },
    batches,
    async stop() {
      controller.abort();
      wakeAll();
      await following;
    },
  };
}
