// Long because it wires the node's parts to uWS handlers (upgrade, open, message, drain, close); the parts live in their modules.
import { App, us_listen_socket_close, us_socket_local_port, type us_listen_socket } from 'uWebSockets.js';
import { createClientMessageHandler } from './client-messages.js';
import { createCommandFrameHandler } from './command-frames.js';
import { CloseCode, CloseReason } from './close-codes.js';
import { Connection, type UpgradeData } from './connection.js';
import { startEphemeral } from './presence/ephemeral.js';
import { createFanOut } from './delivery/fan-out.js';
import { writeProblem } from './http-responses.js';
import { startLogFeed } from './delivery/log-feed.js';
import { connectionsEndedBy } from './delivery/session-ends.js';
import type { LoggedEvent } from '../log.js';
import { PendingAcks } from './delivery/pending-acks.js';
import { logScanGapReader } from './delivery/gap-reader.js';
import { resume } from './delivery/resume.js';
import { indexedGapReader } from './delivery/indexed-gap-reader.js';
import { validateOptions, type RealtimeServerDeps } from './server-options.js';
import { safeFrameFor } from './delivery/safe-frame-for.js';
import { createUpgradeHandler } from './upgrade.js';

export const REALTIME_PATH = '/v1/realtime';
export type { RealtimeServerDeps };

export interface RealtimeServer {
  readonly port: number;
  /** Stops the log subscription, closes every connection with 1001 and stops listening. */
  close(): Promise<void>;
}

/** Client frames are small JSON objects; anything bigger closes the socket (uWS). */
const MAX_CLIENT_FRAME_BYTES = 16 * 1024;
/** Client messages kept while a new connection's user is checked; more are dropped. */
const MAX_EARLY_MESSAGES = 64;
/** Live frames held for one catching-up connection, at least; past it the client gets `resync`. */
const MIN_HELD_FRAMES = 1000;

/**
 * Starts a realtime node: one log subscription from the current head, fanned out to WebSockets;
 * presence and typing shared with the other nodes through PostgreSQL (LISTEN/NOTIFY).
 */
export async function startRealtimeServer(deps: RealtimeServerDeps): Promise<RealtimeServer> {
  const options = validateOptions(deps);
  const logger = deps.logger.child({ component: 'realtime' });
  const frameFor = safeFrameFor(deps.frameFor, logger);
  const app = App();
  const connections = new Set<Connection>();
  const inFlight = new Set<Promise<void>>();
  let nextConnectionId = 1;
  /** Open connections (and upgrades under way) per user on this node. */
  const perUser = new Map<string, number>();
  const admit = (userId: string): boolean => {
    const open = perUser.get(userId) ?? 0;
    if (open >= options.maxConnectionsPerUser) return false;
    perUser.set(userId, open + 1);
    return true;
  };
  const leave = (userId: string): void => {
    const open = (perUser.get(userId) ?? 1) - 1;
    if (open > 0) perUser.set(userId, open);
    else perUser.delete(userId);
  };
  let closing: Promise<void> | undefined;

  const track = (work: Promise<void>): void => {
    const settled = work.catch((error: unknown) => logger.error({ err: error }, 'realtime task failed'));
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
  };

  const highWaterBytes = Math.floor(options.maxBackpressureBytes / 2);
  const ephemeral = await startEphemeral({
    pool: deps.pool,
    logger,
    nodeTimeoutMs: options.nodeTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    typingLimits: options.typingLimits,
    maxBufferedBytes: highWaterBytes,
    track,
  });
  // Acks wait for their command's frame (see pending-acks.ts); the feed is created just below.
  const acks = new PendingAcks(() => feed.position);
  const { metrics } = deps;
  const fanOut = createFanOut({
    publish: (topic, text) => app.publish(topic, text, false),
    frameFor,
    ...(metrics ? { metrics, subscribers: (topic: string) => app.numSubscribers(topic) } : {}),
    tracing: deps.tracing,
  });
  const feed = startLogFeed({
    log: deps.log,
    after: await deps.store.headPosition().catch(async (error: unknown) => {
      await ephemeral.stop();
      throw error;
    }),
    onEvent: (event) => {
      fanOut.deliver(event);
      endConnections(event);
      acks.flush();
    },
    logger,
  });
  /** Closes the sockets an event ends (an erased user's, a revoked session's): see session-ends.ts. */
  function endConnections(event: LoggedEvent): void {
    const ended = connectionsEndedBy(event);
    if (!ended) return;
    for (const connection of ephemeral.connectionsOf(ended.userId)) {
      if (ended.ends(connection.sessionId)) connection.end(ended.code, ended.reason);
    }
  }
  const handleClientMessage = createClientMessageHandler({
    onTyping: ephemeral.typing,
    onCommand: createCommandFrameHandler({ messaging: deps.messaging, acks, logger, track }),
  });
  const resumeDeps = {
    store: deps.store,
    frameFor,
    readGap: indexedGapReader({
      pool: deps.pool,
      store: deps.store,
      frameFor,
      fallback: logScanGapReader({ store: deps.store, frameFor }),
    }),
    feedPosition: () => feed.position,
    replayLimit: options.replayLimit,
    highWaterBytes,
    goLive: (connection: Connection) => {
      fanOut.release(connection);
      connection.goLive();
      acks.flush();
    },
    metrics,
  };

  /** Serves an open connection whose user is known to exist: presence, frames, expiry, early messages. */
  function start(connection: Connection, data: UpgradeData): void {
    data.started = true;
    ephemeral.opened(connection);
    logger.debug(
      { connectionId: connection.id, userId: connection.userId, since: data.since?.toString() },
      'realtime connection opened',
    );
    if (data.since === undefined) {
      connection.goLive();
    } else {
      fanOut.holdFor(connection);
      track(
        resume(connection, data.since, resumeDeps).catch((error: unknown) => {
          logger.error(
            { err: error, connectionId: connection.id, userId: connection.userId },
            'realtime resume failed',
          );
          connection.end(CloseCode.internalError, CloseReason.internalError);
        }),
      );
    }
    // A token that expired during the handshake closes the socket right here.
    connection.expireAt(data.claims.exp, () =>
      connection.end(CloseCode.tokenExpired, CloseReason.tokenExpired),
    );
    const early = data.early ?? [];
    data.early = undefined;
    for (const message of early) if (!connection.isClosed) handleClientMessage(connection, message, false);
  }

  app.ws<UpgradeData>(REALTIME_PATH, {
    maxPayloadLength: MAX_CLIENT_FRAME_BYTES,
    maxBackpressure: options.maxBackpressureBytes,
    closeOnBackpressureLimit: true,
    idleTimeout: options.idleTimeoutSeconds,
    sendPingsAutomatically: true,
    upgrade: createUpgradeHandler({
      tokens: deps.tokens,
      logger,
      isClosing: () => closing !== undefined,
      admit,
      ...(deps.userExists ? { userExists: deps.userExists } : {}),
    }),
    open: (ws) => {
      const data = ws.getUserData();
      const connection = new Connection(
        nextConnectionId++,
        ws,
        Math.max(options.replayLimit, MIN_HELD_FRAMES),
        metrics,
      );
      metrics?.connectionOpened();
      data.connection = connection;
      connections.add(connection);
      if (!data.userCheck) {
        start(connection, data);
        return;
      }
      track(
        data.userCheck.then((check) => {
          if (connection.isClosed) return;
          if (check === 'exists') start(connection, data);
          else if (check === 'unknown') connection.end(CloseCode.unknownUser, CloseReason.unknownUser);
          else connection.end(CloseCode.internalError, CloseReason.internalError);
        }),
      );
    },
    message: (ws, message, isBinary) => {
      const data = ws.getUserData();
      const connection = data.connection;
      if (!connection) return;
      if (data.started) {
        handleClientMessage(connection, message, isBinary);
      } else if (!isBinary && (data.early ??= []).length < MAX_EARLY_MESSAGES) {
        // Only valid during this call: keep a copy until the user check is done.
        data.early.push(message.slice(0));
      }
    },
    drain: (ws) => ws.getUserData().connection?.notifyDrained(),
    dropped: (ws) => {
      const connection = ws.getUserData().connection;
      if (!connection || connection.isClosed || !connection.noteOverBackpressureLimit()) return;
      metrics?.backpressureClosed('buffer_limit');
      logger.warn(
        { connectionId: connection.id, userId: connection.userId, bufferedBytes: ws.getBufferedAmount() },
        'realtime connection over the backpressure limit; closing it',
      );
    },
    close: (ws, code, message) => {
      const connection = ws.getUserData().connection;
      if (!connection) return;
      connection.markClosed();
      metrics?.connectionClosed();
      if (code === CloseCode.tooSlow) metrics?.backpressureClosed('replay_drain_timeout');
      connections.delete(connection);
      leave(ws.getUserData().claims.userId);
      fanOut.release(connection);
      if (ws.getUserData().started) ephemeral.closed(connection);
      logger.info(
        {
          connectionId: connection.id,
          userId: connection.userId,
          code,
          reason: Buffer.from(message).toString('utf8'),
        },
        'realtime connection closed',
      );
    },
  });
  app.any(REALTIME_PATH, (res) =>
    writeProblem(res, 'upgrade_required', 'this endpoint speaks WebSocket only'),
  );
  app.any('/*', (res) => writeProblem(res, 'not_found', 'no such endpoint'));

  const listenSocket = await listen(app, options.host, deps.port).catch(async (error: unknown) => {
    await feed.stop();
    await ephemeral.stop();
    throw error;
  });
  const port = us_socket_local_port(listenSocket);
  logger.info({ host: options.host, port, nodeId: ephemeral.nodeId }, 'realtime server listening');

  async function shutDown(): Promise<void> {
    us_listen_socket_close(listenSocket);
    ephemeral.drain();
    for (const connection of [...connections]) connection.end(CloseCode.goingAway, CloseReason.goingAway);
    await feed.stop();
    await Promise.all(inFlight);
    // Users stay online for a few seconds, time to reconnect elsewhere; then the node is swept.
    await ephemeral.stop();
    logger.info({ port }, 'realtime server closed');
  }

  return {
    port,
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
}

function listen(app: ReturnType<typeof App>, host: string, port: number): Promise<us_listen_socket> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (socket) => {
      if (socket) resolve(socket);
      else reject(new Error(`realtime server could not listen on ${host}:${port}`));
    });
  });
}
