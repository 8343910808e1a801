import type pg from 'pg';
import type { Logger } from 'pino';
import {
  decodeEphemeral,
  encodeEphemeral,
  EPHEMERAL_CHANNEL,
  type EphemeralMessage,
} from './ephemeral-messages.js';
import { listenWithReconnect } from '../../platform/pg-listener.js';

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
  const listener = listenWithReconnect({
    pool: deps.pool,
    channel: EPHEMERAL_CHANNEL,
    logger: deps.logger,
    name: 'realtime: ephemeral channel',
    onNotification: (payload) => {
      if (payload === undefined) return;
      const message = decodeEphemeral(payload);
      if (message) deps.onMessage(message);
      else deps.logger.warn('realtime: malformed ephemeral message ignored');
    },
  });
  try {
    await listener.firstAttempt;
  } catch (error) {
    await listener.close();
    throw error;
  }
  return listener;
}
