import type { Notification, Pool, PoolClient } from 'pg';
import { retryDelayMs, type RetryPolicy } from './backoff.js';

const RECONNECT: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 5_000 };

export interface PgListenerOptions {
  readonly pool: Pool;
  /** The channel, a plain identifier (it is written into the LISTEN statement). */
  readonly channel: string;
  /** Each notification on the channel; must not throw. */
  readonly onNotification: (payload: string | undefined) => void;
  /** After each LISTEN that took: the first, and every one after a lost connection. */
  readonly onListening?: () => void;
  /** The listening connection was lost; a new one is tried after a short delay. */
  readonly onLost?: (error: Error | undefined) => void;
  /** An attempt to connect and LISTEN failed (`failures` in a row); the next comes after backoff. */
  readonly onFailure?: (error: unknown, failures: number) => void;
  readonly retry?: RetryPolicy;
}

export interface PgListener {
  /**
   * Settles with the first attempt: resolves once LISTEN is in place, rejects with the error of an
   * attempt that failed (the listener keeps trying until closed).
   */
  readonly started: Promise<void>;
  /** Stops listening for good and waits for an attempt in flight to let go of its connection. */
  close(): Promise<void>;
}

/**
 * One connection that LISTENs on a channel, re-established with backoff whenever it is lost or
 * cannot be made. Notifications sent while no connection listens are lost: whoever listens must
 * make up for them (`onListening` says when that may have happened).
 */
export function listenWithReconnect(options: PgListenerOptions): PgListener {
  const retry = options.retry ?? RECONNECT;
  let closed = false;
  /** Failed attempts since the last LISTEN that took. */
  let failures = 0;
  /** Lets go of the listening connection, if one listens. */
  let active: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<void> | undefined;
  let settle: { resolve(): void; reject(error: unknown): void } | undefined;
  const started = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Awaited by whoever cares; an attempt's failure is reported through onFailure as well.
  started.catch(() => undefined);
  const startedWith = (outcome: { readonly error: unknown } | undefined): void => {
    if (outcome === undefined) settle?.resolve();
    else settle?.reject(outcome.error);
    settle = undefined;
  };

  function schedule(): void {
    if (closed || timer !== undefined) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        connect();
      },
      retryDelayMs(failures + 1, retry),
    );
    // A pending reconnection alone must not keep the process alive.
    timer.unref();
  }

  function failed(error: unknown): void {
    failures += 1;
    startedWith({ error });
    options.onFailure?.(error, failures);
    schedule();
  }

  function connect(): void {
    if (closed || active !== undefined || attempt !== undefined) return;
    attempt = connectOnce().finally(() => {
      attempt = undefined;
    });
  }

  async function connectOnce(): Promise<void> {
    let client: PoolClient;
    try {
      client = await options.pool.connect();
    } catch (error) {
      failed(error);
      return;
    }
    let released = false;
    const release = (error?: Error): void => {
      if (released) return;
      released = true;
      // Destroyed rather than returned to the pool: it LISTENs, or its connection is broken.
      client.release(error ?? true);
    };
    const onLost = (error?: Error): void => {
      const wasActive = active === release;
      if (wasActive) active = undefined;
      release(error);
      if (!wasActive) return;
      options.onLost?.(error);
      schedule();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (notification: Notification) => {
      if (notification.channel === options.channel) options.onNotification(notification.payload);
    });
    try {
      await client.query(`LISTEN ${options.channel}`);
    } catch (error) {
      release();
      failed(error);
      return;
    }
    if (closed || released) {
      release();
      schedule();
      return;
    }
    active = release;
    failures = 0;
    startedWith(undefined);
    options.onListening?.();
  }

  connect();
  return {
    started,
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      const listening = active;
      active = undefined;
      listening?.();
      startedWith({ error: new Error(`stopped listening on ${options.channel}`) });
      await attempt;
    },
  };
}
