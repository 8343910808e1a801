import type pg from 'pg';
import { retryDelayMs, type RetryPolicy } from './backoff.js';

interface WarnLogger {
  warn(object: object, message: string): void;
}

export interface PgListener {
  /** Settles with the first attempt to LISTEN: resolves once in place, rejects if it failed (retries go on). */
  readonly firstAttempt: Promise<void>;
  /** Stops listening for good, lets the connection go, and waits for an attempt in flight. */
  close(): Promise<void>;
}

const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 5_000 };

/**
 * Holds one pooled connection LISTENing on `channel`, handing every notification's payload to
 * `onNotification` (which must not throw). A connection lost (or an attempt failed) is logged
 * and replaced with backoff until `close`; `onListening` runs each time a LISTEN is in place, the
 * first and every later one, since notifications sent while nobody listened are gone. The
 * connection is destroyed, never returned to the pool: it LISTENs, or it is broken.
 */
export function listenWithReconnect(options: {
  readonly pool: pg.Pool;
  readonly channel: string;
  readonly logger: WarnLogger;
  /** Names the listener in log lines. */
  readonly name: string;
  readonly onNotification: (payload: string | undefined) => void;
  readonly onListening?: () => void;
  readonly retry?: RetryPolicy;
}): PgListener {
  const retry = options.retry ?? DEFAULT_RETRY;
  let closed = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<void> | undefined;
  let active: (() => void) | undefined;

  const scheduleRetry = (): void => {
    if (closed || timer !== undefined) return;
    failures += 1;
    timer = setTimeout(
      () => {
        timer = undefined;
        attempt = connect().catch(() => undefined);
      },
      retryDelayMs(failures, retry),
    );
    // A pending retry alone must not keep the process alive.
    timer.unref();
  };

  async function connect(): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await options.pool.connect();
    } catch (error) {
      options.logger.warn({ err: error, failures }, `${options.name}: cannot listen; retrying`);
      scheduleRetry();
      throw error;
    }
    let released = false;
    const destroy = (error?: Error): void => {
      if (released) return;
      released = true;
      if (active === destroy) active = undefined;
      client.release(error ?? true);
    };
    const lost = (error?: Error): void => {
      const wasActive = active === destroy;
      destroy(error);
      if (!wasActive || closed) return;
      options.logger.warn({ err: error }, `${options.name}: connection lost; reconnecting`);
      scheduleRetry();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message: pg.Notification) => {
      if (message.channel === options.channel) options.onNotification(message.payload);
    });
    try {
      await client.query(`LISTEN ${options.channel}`);
    } catch (error) {
      destroy();
      options.logger.warn({ err: error, failures }, `${options.name}: cannot listen; retrying`);
      scheduleRetry();
      throw error;
    }
    if (closed || released) {
      destroy();
      if (!closed) scheduleRetry();
      return;
    }
    active = destroy;
    failures = 0;
    options.onListening?.();
  }

  const firstAttempt = connect();
  attempt = firstAttempt.catch(() => undefined);
  return {
    firstAttempt,
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      await attempt;
      active?.();
    },
  };
}
