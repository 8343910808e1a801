import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { InvalidPositionError } from '../eventstore/errors.js';
import type { EventStore } from '../eventstore/port.js';
import { checkpointPositions } from '../read-models/checkpoints.js';
import type { HttpApp } from './http-app.js';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequestSeconds: Histogram<'method' | 'route' | 'status'>;
}

/** One registry per running system (never the library's global one), so several can share a process. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'chat_' });
  return {
    registry,
    httpRequestSeconds: new Histogram({
      name: 'chat_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

/** What the command path reports (see commands/command-instruments.ts). */
export interface CommandMetrics {
  /** A command finished: `outcome` is appended, unchanged, rejected, conflict or failed. */
  finished(type: string, outcome: string): void;
  /** A command's append met a concurrent write and it decided again. */
  retried(type: string): void;
}

export function createCommandMetrics(metrics: Metrics): CommandMetrics {
  const commands = new Counter({
    name: 'chat_commands_total',
    help: 'Commands handled, by command type and outcome (appended, unchanged, rejected, conflict, failed)',
    labelNames: ['type', 'outcome'],
    registers: [metrics.registry],
  });
  const retries = new Counter({
    name: 'chat_command_retries_total',
    help: 'Decisions taken again after an append met a concurrent write, by command type',
    labelNames: ['type'],
    registers: [metrics.registry],
  });
  return {
    finished: (type, outcome) => commands.inc({ type, outcome }),
    retried: (type) => retries.inc({ type }),
  };
}

/** What a realtime node reports; the realtime code calls these and knows nothing of Prometheus. */
export interface RealtimeMetrics {
  connectionOpened(): void;
  connectionClosed(): void;
  /** `count` frames of `type` handed to sockets (or held for a socket that is catching up). */
  framesSent(type: string, count: number): void;
  /** A socket closed for not reading: over the buffer limit, or a replay it did not drain. */
  backpressureClosed(reason: 'buffer_limit' | 'replay_drain_timeout'): void;
  /** A resume's replay ended; `frames` is how many it sent. */
  replayed(outcome: 'replayed' | 'resync' | 'closed', frames: number): void;
  /** A client was told to reload: its gap was too long, or it fell too far behind while catching up. */
  resynced(reason: 'replay_too_long' | 'held_overflow'): void;
}

export function createRealtimeMetrics(metrics: Metrics): RealtimeMetrics {
  const registers = [metrics.registry];
  const connections = new Gauge({
    name: 'chat_realtime_connections',
    help: 'WebSocket connections open on this node',
    registers,
  });
  // Counted per frame type in a plain map, handed to the counter when scraped: a labelled
  // increment costs far more than a map update, and this one runs for every frame.
  const unsent = new Map<string, number>();
  new Counter({
    name: 'chat_realtime_frames_sent_total',
    help: 'Frames sent to WebSockets, by frame type',
    labelNames: ['type'],
    registers,
    collect() {
      for (const [type, count] of unsent) this.inc({ type }, count);
      unsent.clear();
    },
  });
  const backpressureCloses = new Counter({
    name: 'chat_realtime_backpressure_closes_total',
    help: 'WebSockets closed for not reading, by reason (buffer_limit, replay_drain_timeout)',
    labelNames: ['reason'],
    registers,
  });
  const replays = new Counter({
    name: 'chat_realtime_replays_total',
    help: 'Resumes (since=…) by outcome (replayed, resync, closed)',
    labelNames: ['outcome'],
    registers,
  });
  const replayFrames = new Histogram({
    name: 'chat_realtime_replay_frames',
    help: 'Frames sent by one replay',
    buckets: [0, 1, 10, 100, 1000, 10_000],
    registers,
  });
  const resyncs = new Counter({
    name: 'chat_realtime_resyncs_total',
    help: 'resync frames sent, by reason (replay_too_long, held_overflow)',
    labelNames: ['reason'],
    registers,
  });
  return {
    connectionOpened: () => connections.inc(),
    connectionClosed: () => connections.dec(),
    framesSent: (type, count) => unsent.set(type, (unsent.get(type) ?? 0) + count),
    backpressureClosed: (reason) => backpressureCloses.inc({ reason }),
    replayed: (outcome, sent) => {
      replays.inc({ outcome });
      replayFrames.observe(sent);
    },
    resynced: (reason) => resyncs.inc({ reason }),
  };
}

/** Lag counted in events up to this many; the gauge then reads this (at least as many). */
const LAG_COUNT_LIMIT = 1000;

/**
 * Events after each checkpoint, counted by reading them (one bounded read per distinct
 * checkpoint, and projections usually share one): positions cannot be subtracted, EventStoreDB's
 * are byte offsets. A checkpoint the store refuses (built from another store) gets no value.
 */
async function projectionLags(deps: { store: EventStore; pool: pg.Pool }): Promise<Map<string, number>> {
  const counted = new Map<bigint, number | undefined>();
  const lags = new Map<string, number>();
  for (const [name, position] of await checkpointPositions(deps.pool)) {
    if (!counted.has(position)) {
      const ahead = await deps.store
        .readAll({ after: position, maxCount: LAG_COUNT_LIMIT })
        .then((events) => events.length)
        .catch((error: unknown) => {
          if (error instanceof InvalidPositionError) return undefined;
          throw error;
        });
      counted.set(position, ahead);
    }
    const lag = counted.get(position);
    if (lag !== undefined) lags.set(name, lag);
  }
  return lags;
}

/** Log head and each projection's position and lag, read when scraped. */
export function registerLogGauges(metrics: Metrics, deps: { store: EventStore; pool: pg.Pool }): void {
  new Gauge({
    name: 'chat_projection_lag_events',
    help: `Events in the log each projection has not applied yet, counted up to ${LAG_COUNT_LIMIT} (which means at least as many)`,
    labelNames: ['projection'],
    registers: [metrics.registry],
    async collect() {
      const lags = await projectionLags(deps);
      this.reset();
      for (const [projection, lag] of lags) this.set({ projection }, lag);
    },
  });
  new Gauge({
    name: 'chat_log_head_position',
    help: 'Global position of the newest event in the log: an event count on PostgreSQL, a byte offset on EventStoreDB (do not subtract; see chat_projection_lag_events)',
    registers: [metrics.registry],
    async collect() {
      this.set(Number(await deps.store.headPosition()));
    },
  });
  new Gauge({
    name: 'chat_projection_position',
    help: 'Global position each projection has applied, in the unit of chat_log_head_position',
    labelNames: ['projection'],
    registers: [metrics.registry],
    async collect() {
      for (const [projection, position] of await checkpointPositions(deps.pool)) {
        this.set({ projection }, Number(position));
      }
    },
  });
}

/**
 * `GET /metrics` in Prometheus text format, and request timing for every route. Installed on the
 * root instance (not as an encapsulated plugin) so that its hook sees every route.
 */
export function installMetrics(app: HttpApp, metrics: Metrics, options: { serve: boolean }): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequestSeconds.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  if (options.serve) serveMetrics(app, metrics);
}

/** `GET /metrics`: every family in the registry, in Prometheus text format. */
export function serveMetrics(app: HttpApp, metrics: Metrics): void {
  app.get('/metrics', { schema: { tags: ['operations'], hide: true } }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
