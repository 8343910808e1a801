import type { Pool } from 'pg';
import { listenWithReconnect, type PgListener } from '../../platform/pg-listener.js';
import type { EventStoreLogger } from '../port.js';
import { APPENDED_CHANNEL } from './schema.js';

export interface AppendNotificationsOptions {
  readonly pool: Pool;
  readonly logger: EventStoreLogger;
  /** false: never LISTEN (e.g. behind a transaction-pooling PgBouncer); waiters then only time out. */
  readonly enabled: boolean;
}

/**
 * One LISTEN connection per store instance, shared by all its subscriptions. It does not carry
 * events, only a wake-up: a generation counter that moves on every notification and on every
 * (re)connection, since appends committed while nobody listened produced no notification that
 * anyone received. Subscribers read the table themselves, so a lost notification only delays
 * them until their fallback poll. The connection is held while at least one subscription runs.
 */
export class AppendNotifications {
  readonly #pool: Pool;
  readonly #logger: EventStoreLogger;
  readonly #enabled: boolean;
  readonly #waiters = new Set<() => void>();
  #generation = 0;
  #connections = 0;
  #latestHead = 0n;
  #users = 0;
  #listener: PgListener | undefined;
  #closing: Promise<void> | undefined;
  #closed = false;

  constructor({ pool, logger, enabled }: AppendNotificationsOptions) {
    this.#pool = pool;
    this.#logger = logger;
    this.#enabled = enabled;
  }

  get generation(): number {
    return this.#generation;
  }

  /** Counts (re)connections: appends committed before one may have gone unnoticed. */
  get connections(): number {
    return this.#connections;
  }

  /** The highest log head any notification (or this instance's own append) has announced. */
  get latestHead(): bigint {
    return this.#latestHead;
  }

  /** Registers a subscription; the first one starts listening. Call the returned function once when done. */
  acquire(): () => void {
    this.#users += 1;
    if (this.#users === 1) this.#start();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#users -= 1;
      if (this.#users === 0) this.#stop();
    };
  }

  /** Resolves once the generation differs from `seen`, after `timeoutMs`, or when `signal` aborts. */
  wait(seen: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.#generation !== seen || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.#waiters.add(done);
    });
  }

  /** Wakes the waiters as a notification would: this instance itself just committed up to `head`. */
  poke(head: bigint): void {
    this.#noteHead(head);
    this.#wakeAll();
  }

  #noteHead(head: bigint): void {
    if (head > this.#latestHead) this.#latestHead = head;
  }

  /** Stops listening for good and waits for the connection to let go. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stop();
    await this.#closing;
  }

  #wakeAll(): void {
    this.#generation += 1;
    for (const wake of [...this.#waiters]) wake();
  }

  #start(): void {
    if (!this.#enabled || this.#closed || this.#listener !== undefined) return;
    this.#listener = listenWithReconnect({
      pool: this.#pool,
      channel: APPENDED_CHANNEL,
      logger: this.#logger,
      name: 'event store: notification listener (subscriptions poll meanwhile)',
      onNotification: (payload) => {
        if (payload && /^\d{1,19}$/.test(payload)) this.#noteHead(BigInt(payload));
        this.#wakeAll();
      },
      onListening: () => {
        this.#connections += 1;
        this.#wakeAll();
      },
    });
    // A failed first attempt is logged by the listener, which keeps trying.
    this.#listener.firstAttempt.catch(() => undefined);
  }

  #stop(): void {
    const listener = this.#listener;
    this.#listener = undefined;
    if (listener) this.#closing = Promise.all([this.#closing, listener.close()]).then(() => undefined);
  }
}
