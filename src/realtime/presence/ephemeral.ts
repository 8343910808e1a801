import type pg from 'pg';
import type { Logger } from 'pino';
import type { Connection } from '../connection.js';
import { listenEphemeral } from './ephemeral-channel.js';
import { ephemeralFrame } from './ephemeral-messages.js';
import { LocalConnections } from './local-connections.js';
import { migrateRealtime } from './presence-schema.js';
import { presenceStore } from './presence-store.js';
import { PresenceTracker } from './presence-tracker.js';
import { createTypingRelay, type TypingLimits } from './typing.js';

/** The node's presence and typing: what never goes through the log and is shared by NOTIFY. */
export interface Ephemeral {
  /** This node's current id in `realtime_nodes`. */
  readonly nodeId: string;
  /** Counts the connection for presence and sends it the presence of its contacts. */
  opened(connection: Connection): void;
  closed(connection: Connection): void;
  /** The user's connections open on this node (those `opened` and not yet `closed`). */
  connectionsOf(userId: string): readonly Connection[];
  /** Handles a client `typing` frame. */
  typing(connection: Connection, conversationId: unknown): void;
  /** The node is shutting down: connections closing from now on keep their users online for a grace period. */
  drain(): void;
  /** Call once every connection is closed: hands the node's presence over, then stops listening. */
  stop(): Promise<void>;
}

export async function startEphemeral(deps: {
  readonly pool: pg.Pool;
  readonly logger: Logger;
  readonly nodeTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly typingLimits: TypingLimits;
  /** An ephemeral frame is dropped for a socket that has more than this waiting to be sent. */
  readonly maxBufferedBytes: number;
  /** Keeps asynchronous work tracked so that the server's close() can wait for it. */
  readonly track: (work: Promise<void>) => void;
}): Promise<Ephemeral> {
  const { pool, logger, track } = deps;
  const local = new LocalConnections(deps.maxBufferedBytes);
  const presence = presenceStore(pool);
  await migrateRealtime(pool);
  // Listening before the node registers: every presence change from then on reaches this node.
  const listener = await listenEphemeral({ pool, logger, onMessage: (message) => local.deliver(message) });
  const tracker = await PresenceTracker.start({
    store: presence,
    logger,
    nodeTimeoutMs: deps.nodeTimeoutMs,
    heartbeatIntervalMs: deps.heartbeatIntervalMs,
  }).catch(async (error: unknown) => {
    await listener.close();
    throw error;
  });
  const typing = createTypingRelay({ pool, logger, limits: deps.typingLimits, track });

  /**
   * Tells a new connection which of its contacts are online. Presence frames arriving meanwhile
   * are held and sent after the snapshot: they are as new as what it read, or newer.
   */
  function sendPresenceSnapshot(connection: Connection): void {
    connection.holdEphemeral();
    track(
      presence
        .onlineContacts(connection.userId)
        .then((online) =>
          connection.releaseEphemeral(
            online.map((userId) => ephemeralFrame({ kind: 'presence', userId, online: true, to: [] })),
          ),
        )
        .catch((error: unknown) => {
          connection.releaseEphemeral([]);
          throw error;
        }),
    );
  }

  return {
    get nodeId() {
      return tracker.nodeId;
    },
    opened(connection) {
      local.add(connection);
      tracker.connected(connection.userId);
      sendPresenceSnapshot(connection);
    },
    closed(connection) {
      local.remove(connection);
      tracker.disconnected(connection.userId);
    },
    connectionsOf: (userId) => local.of(userId),
    typing,
    drain() {
      tracker.drain();
    },
    async stop() {
      await tracker.stop();
      await listener.close();
    },
  };
}
