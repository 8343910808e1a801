import type { Logger } from 'pino';
import type { EventStore } from '../eventstore/port.js';
import type { TokenService } from '../platform/tokens.js';
import type { FrameFor } from './realtime-frame.js';

export interface RealtimeServerDeps {
  /** Interface to listen on; default all IPv4 interfaces. */
  readonly host?: string;
  /** 0 = any free port (see RealtimeServer.port). */
  readonly port: number;
  readonly store: EventStore;
  readonly tokens: TokenService;
  readonly frameFor: FrameFor;
  readonly logger: Logger;
  /** Bytes a socket may buffer before it is closed as a slow consumer; default 1 MiB. */
  readonly maxBackpressureBytes?: number;
  /** Most events a resume may scan before the client gets `resync`; default 10 000. */
  readonly replayLimit?: number;
  /** Seconds without traffic before a socket is closed (pings are sent before); 0 or 8–960, default 60. */
  readonly idleTimeoutSeconds?: number;
}

const DEFAULTS = {
  host: '0.0.0.0',
  maxBackpressureBytes: 1024 * 1024,
  replayLimit: 10_000,
  idleTimeoutSeconds: 60,
};

/** Fills in the defaults and refuses values uWS or the resume logic cannot work with. */
export function validateOptions(deps: RealtimeServerDeps) {
  const options = {
    host: deps.host ?? DEFAULTS.host,
    maxBackpressureBytes: deps.maxBackpressureBytes ?? DEFAULTS.maxBackpressureBytes,
    replayLimit: deps.replayLimit ?? DEFAULTS.replayLimit,
    idleTimeoutSeconds: deps.idleTimeoutSeconds ?? DEFAULTS.idleTimeoutSeconds,
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
  // uWS aborts the process (not throws) on other values.
  const idle = options.idleTimeoutSeconds;
  if (!Number.isInteger(idle) || (idle !== 0 && (idle < 8 || idle > 960))) {
    throw new RangeError('idleTimeoutSeconds must be 0 or an integer from 8 to 960');
  }
  return options;
}
