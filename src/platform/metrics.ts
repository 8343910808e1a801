import type pg from 'pg';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { InvalidPositionError } from '../eventstore/errors.js';
import type { EventStore } from '../eventstore/port.js';
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

/** Lag counted in events up to this many; the gauge then reads this (at least as many). */
const LAG_COUNT_LIMIT = 1000;

/**
 * Events after each checkpoint, counted by reading them (one bounded read per distinct
 * checkpoint, and projections usually share one): positions cannot be subtracted, EventStoreDB's
 * are byte offsets. A checkpoint the store refuses (built from another store) gets no value.
 */
async function projectionLags(deps: { store: EventStore; pool: pg.Pool }): Promise<Map<string, number>> {
  const { rows } = await deps.pool.query<{ name: string; position: string }>(
    'SELECT name, position FROM projection_checkpoints',
  );
  const counted = new Map<string, number | undefined>();
  const lags = new Map<string, number>();
  for (const row of rows) {
    if (!counted.has(row.position)) {
      const ahead = await deps.store
        .readAll({ after: BigInt(row.position), maxCount: LAG_COUNT_LIMIT })
        .then((events) => events.length)
        .catch((error: unknown) => {
          if (error instanceof InvalidPositionError) return undefined;
          throw error;
        });
      counted.set(row.position, ahead);
    }
    const lag = counted.get(row.position);
    if (lag !== undefined) lags.set(row.name, lag);
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
      const { rows } = await deps.pool.query<{ name: string; position: string }>(
        'SELECT name, position FROM projection_checkpoints',
      );
      for (const row of rows) this.set({ projection: row.name }, Number(row.position));
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
  if (!options.serve) return;
  app.get('/metrics', { schema: { tags: ['operations'], hide: true } }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
