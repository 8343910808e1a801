import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { Logger } from 'pino';
import {
  decodeEphemeral,
  encodeEphemeral,
  EPHEMERAL_CHANNEL,
  type EphemeralMessage,
} from './ephemeral-messages.js';
import { retryDelayMs } from '../../platform/backoff.js';

const RECONNECT = { initialDelayMs: 100, maxDelayMs: 5_000 };

/** Anything that can run a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/**
 * Sends a message to every realtime node (this one included) with pg_notify. Inside a transaction
 * it goes out at commit, and messages of different transactions arrive in commit order.
 */
export async function publishEphemeral(db: Queryable, message: EphemeralMessage): Promise<void> {
  const payloads = encodeEphemeral(message);
  if (payloads.length === 0) return;
  await db.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [
    EPHEMERAL_CHANNEL,
    payloads,
  ]);
}

export interface EphemeralListener {
  /** Stops listening and lets the connection go. */
  close(): Promise<void>;
}

/**
 * One connection per node LISTENing on the ephemeral channel; every message received goes to
 * `onMessage` (which must not throw). Resolves once the first LISTEN is in place (rejects if it
 * cannot be); afterwards a lost connection is re-established with backoff. Messages sent while no
 * connection listens are lost: presence and typing are best effort by nature.
 */
export async function listenEphemeral(deps: {
  pool: pg.Pool;
  logger: Logger;
  onMessage: (message: EphemeralMessage) => void;
}): Promise<EphemeralListener> {
  const controller = new AbortController();
  const { signal } = controller;

  /** Connects and LISTENs; `lost` settles when the connection is lost or closed. */
  async function listenOnce(): Promise<{ readonly lost: Promise<void> }> {
    const client = await deps.pool.connect();
    if (signal.aborted) {
      client.release();
      return { lost: Promise.resolve() };
    }
    let release!: (error?: Error) => void;
    const lost = new Promise<void>((resolve) => {
      let released = false;
      release = (error) => {
        if (released) return;
        released = true;
        signal.removeEventListener('abort', onAbort);
        // Destroyed, never returned to the pool: it LISTENs, or its connection is broken.
        client.release(error ?? true);
        resolve();
      };
    });
    const onAbort = () => release();
    client.on('error', (error) => release(error));
    client.on('end', () => release());
    client.on('notification', (notification) => {
      if (notification.channel !== EPHEMERAL_CHANNEL || notification.payload === undefined) return;
      const message = decodeEphemeral(notification.payload);
      if (message) deps.onMessage(message);
      else deps.logger.warn('realtime: malformed ephemeral message ignored');
    });
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.query(`LISTEN ${EPHEMERAL_CHANNEL}`);
    } catch (error) {
      release(error instanceof Error ? error : undefined);
      throw error;
    }
    return { lost };
  }

  async function supervise(first: { readonly lost: Promise<void> }): Promise<void> {
    let { lost } = first;
    let failures = 0;
    for (;;) {
      await lost;
      if (signal.aborted) return;
      deps.logger.warn('realtime: ephemeral channel connection lost; reconnecting');
      for (;;) {
        failures += 1;
        await sleep(retryDelayMs(failures, RECONNECT), undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return;
        try {
          ({ lost } = await listenOnce());
          failures = 0;
          break;
        } catch (error) {
          deps.logger.warn({ err: error, failures }, 'realtime: cannot listen on the ephemeral channel');
        }
      }
    }
  }

  const supervising = supervise(await listenOnce());
  return {
    async close() {
      controller.abort();
      await supervising;
    },
  };
}
