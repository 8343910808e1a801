import type { Notification, Pool, PoolClient } from 'pg';
import type { EventStoreLogger } from '../port.js';
import { APPENDED_CHANNEL } from './schema.js';

const MIN_RECONNECT_DELAY_MS = 100;
const MAX_RECONNECT_DELAY_MS = 5_000;

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
  #active: { readonly client: PoolClient; readonly destroy: () => void } | undefined;
  #connecting: Promise<void> | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #failedAttempts = 0;
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

  /** Stops listening for good and waits for a connection attempt in flight to let go. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stop();
    await this.#connecting;
  }

  #wakeAll(): void {
    this.#generation += 1;
    for (const wake of [...this.#waiters]) wake();
  }

  #wanted(): boolean {
    return this.#enabled && !this.#closed && this.#users > 0;
  }

  #start(): void {
    if (this.#wanted() && this.#active === undefined && this.#connecting === undefined) this.#connect();
  }

  #stop(): void {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    const active = this.#active;
    this.#active = undefined;
    active?.destroy();
  }

  #connect(): void {
    this.#connecting = this.#connectOnce().finally(() => {
      this.#connecting = undefined;
    });
  }

  async #connectOnce(): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      this.#connectFailed(error);
      return;
    }
    let released = false;
    const destroy = (error?: Error): void => {
      if (released) return;
      released = true;
      // Destroyed rather than returned to the pool: it LISTENs, or its connection is broken.
      client.release(error ?? true);
    };
    const onLost = (error?: Error): void => {
      const wasActive = this.#active?.client === client;
      if (wasActive) this.#active = undefined;
      destroy(error);
      if (!wasActive) return;
      this.#logger.warn({ err: error }, 'event store: notification connection lost; reconnecting');
      this.#scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message: Notification) => {
      if (message.channel !== APPENDED_CHANNEL) return;
      if (message.payload && /^\d{1,19}$/.test(message.payload)) this.#noteHead(BigInt(message.payload));
      this.#wakeAll();
    });
    try {
      await client.query(`LISTEN ${APPENDED_CHANNEL}`);
    } catch (error) {
      destroy();
      this.#connectFailed(error);
      return;
    }
    if (!this.#wanted() || released) {
      destroy();
      if (this.#wanted()) this.#scheduleReconnect();
      return;
    }
    this.#active = { client, destroy: () => destroy() };
    this.#failedAttempts = 0;
    this.#connections += 1;
    this.#wakeAll();
  }

  #connectFailed(error: unknown): void {
    this.#failedAttempts += 1;
    this.#logger.warn(
      { err: error, attempt: this.#failedAttempts },
      'event store: cannot listen for notifications; subscriptions rely on polling until it can',
    );
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (!this.#wanted() || this.#reconnectTimer !== undefined) return;
    const delay = Math.min(MAX_RECONNECT_DELAY_MS, MIN_RECONNECT_DELAY_MS * 2 ** this.#failedAttempts);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#start();
    }, delay);
    // A pending reconnect alone must not keep the process alive.
    this.#reconnectTimer.unref();
  }
}
