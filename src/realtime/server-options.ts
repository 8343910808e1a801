import type { LogReader, LogStore } from '../log.js';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Messaging } from '../commands/messaging.js';
import { REALTIME_DEFAULTS } from '../platform/config.js';
import type { RealtimeMetrics } from '../http/metrics.js';
import type { TokenService } from '../platform/tokens.js';
import type { Tracing } from '../platform/tracing.js';
import type { FrameFor } from './realtime-frame.js';
import { DEFAULT_TYPING_LIMITS, type TypingLimits } from './presence/typing.js';

export interface RealtimeServerDeps {
  /** Interface to listen on; default all IPv4 interfaces. */
  readonly host?: string;
  /** 0 = any free port (see RealtimeServer.port). */
  readonly port: number;
  /** For replays to resuming clients and the head position. */
  readonly store: LogStore;
  /** The process's one reader of the log, which the node follows for live frames. */
  readonly log: LogReader;
  /**
   * The read-model database (PostgreSQL): contacts and conversation members for presence and
   * typing, the presence tables, and the NOTIFY channel that carries them between nodes. The node
   * holds one of its connections for LISTEN.
   */
  readonly pool: pg.Pool;
  readonly tokens: TokenService;
  readonly frameFor: FrameFor;
  readonly logger: Logger;
  /**
   * The message use cases for the command frames (`send`, `edit`, `delete`, `read`), the same the
   * HTTP routes call; without them, command frames are answered with an `error` 503.
   */
  readonly messaging?: Messaging;
  /** Bytes a socket may buffer before it is closed as a slow consumer; default 1 MiB. */
  readonly maxBackpressureBytes?: number;
  /** Open connections one user may have on this node; past it an upgrade answers 429. Default 20. */
  readonly maxConnectionsPerUser?: number;
  /**
   * Refuses tokens of users who no longer exist (or never did); default: every token's user exists.
   * A synchronous answer refuses the upgrade (401); a promise is awaited after `open`, and a user
   * who does not exist is then closed with 4003 before anything is sent.
   */
  readonly userExists?: (userId: string) => boolean | Promise<boolean>;
  /** Most events a resume may scan before the client gets `resync`; default 10 000. */
  readonly replayLimit?: number;
  /** Seconds without traffic before a socket is closed (pings are sent before); 0 or 8–960, default 60. */
  readonly idleTimeoutSeconds?: number;
  /** A node silent for this long counts as dead and its users go offline; default 30 000. */
  readonly nodeTimeoutMs?: number;
  /** How often the node heartbeats and sweeps dead nodes; default a third of `nodeTimeoutMs`. */
  readonly heartbeatIntervalMs?: number;
  /** Typing rate limits per user on this node; default one per conversation per 2 s, 10 per 10 s. */
  readonly typingLimits?: Partial<TypingLimits>;
  /** Connection, frame, replay and backpressure counts (Prometheus); none without it. */
  readonly metrics?: RealtimeMetrics;
  /** A span per fanned-out event, continuing the trace stored in its metadata. */
  readonly tracing?: Tracing | undefined;
}

const DEFAULTS = {
  ...REALTIME_DEFAULTS,
  nodeTimeoutMs: REALTIME_DEFAULTS.nodeTimeoutSeconds * 1000,
};

/** Fills in the defaults and refuses values uWS or the resume logic cannot work with. */
export function validateOptions(deps: RealtimeServerDeps) {
  const options = {
    host: deps.host ?? DEFAULTS.host,
    maxBackpressureBytes: deps.maxBackpressureBytes ?? DEFAULTS.maxBackpressureBytes,
    replayLimit: deps.replayLimit ?? DEFAULTS.replayLimit,
    maxConnectionsPerUser: deps.maxConnectionsPerUser ?? DEFAULTS.maxConnectionsPerUser,
    idleTimeoutSeconds: deps.idleTimeoutSeconds ?? DEFAULTS.idleTimeoutSeconds,
    nodeTimeoutMs: deps.nodeTimeoutMs ?? DEFAULTS.nodeTimeoutMs,
    heartbeatIntervalMs:
      deps.heartbeatIntervalMs ?? Math.floor((deps.nodeTimeoutMs ?? DEFAULTS.nodeTimeoutMs) / 3),
    typingLimits: { ...DEFAULT_TYPING_LIMITS, ...deps.typingLimits },
  };
  if (!Number.isInteger(deps.port) || deps.port < 0 || deps.port > 65_535) {
    throw new RangeError(`realtime port must be an integer from 0 to 65535, got ${deps.port}`);
  }
  if (!Number.isInteger(options.maxBackpressureBytes) || options.maxBackpressureBytes < 1024) {
    throw new RangeError('maxBackpressureBytes must be an integer of at least 1024');
  }
  if (!Number.isInteger(options.replayLimit) || options.replayLimit < 0) {
    throw new RangeError('replayLimit must be a non-negative integer');
  }
  if (!Number.isInteger(options.maxConnectionsPerUser) || options.maxConnectionsPerUser < 1) {
    throw new RangeError('maxConnectionsPerUser must be a positive integer');
  }
  // uWS aborts the process (not throws) on other values.
  const idle = options.idleTimeoutSeconds;
  if (!Number.isInteger(idle) || (idle !== 0 && (idle < 8 || idle > 960))) {
    throw new RangeError('idleTimeoutSeconds must be 0 or an integer from 8 to 960');
  }
  if (!Number.isInteger(options.nodeTimeoutMs) || options.nodeTimeoutMs < 300) {
    throw new RangeError('nodeTimeoutMs must be an integer of at least 300');
  }
  // At least two heartbeats must fit in the timeout, or a live node could be taken for dead.
  const heartbeat = options.heartbeatIntervalMs;
  if (!Number.isInteger(heartbeat) || heartbeat < 50 || heartbeat * 2 > options.nodeTimeoutMs) {
    throw new RangeError('heartbeatIntervalMs must be an integer from 50 to half of nodeTimeoutMs');
  }
  const typing = options.typingLimits;
  if (
    ![typing.perConversationMs, typing.maxPerWindow, typing.windowMs].every(
      (n) => Number.isInteger(n) && n >= 0,
    )
  ) {
    throw new RangeError('typingLimits must be non-negative integers');
  }
  return options;
}
