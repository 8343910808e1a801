import { Type } from '@sinclair/typebox';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { InvalidPositionError } from '../eventstore/errors.js';
import type { EventStore } from '../eventstore/port.js';
import { checkpointPositions } from '../read-models/checkpoints.js';
import { problems } from '../http-docs/openapi.js';
import type { HttpApp } from './http-app.js';

export interface HealthDeps {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  /** The projections whose lag counts; none (a realtime-only process) leaves the check out. */
  readonly projections: readonly string[];
  /** Ready only while every projection is at most this many events behind the log. */
  readonly maxProjectionLag: number;
}

const Check = Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) });

/**
 * Runs one readiness check. A failure is logged in full for the operator; the answer, which
 * anyone can read, says only that it failed (no addresses, no driver messages).
 */
async function check(
  name: string,
  log: FastifyBaseLogger,
  run: () => Promise<string | undefined>,
): Promise<{ ok: boolean; detail?: string }> {
  try {
    const problem = await run();
    return problem === undefined ? { ok: true } : { ok: false, detail: problem };
  } catch (error) {
    log.warn({ err: error, check: name }, 'readiness check failed');
    return { ok: false, detail: 'unreachable' };
  }
}

/**
 * Which projections are more than `maxProjectionLag` events behind, counted in events (not by
 * subtracting positions, which in EventStoreDB are byte offsets): one bounded read after the
 * slowest checkpoint finds the position a projection must have reached.
 */
async function projectionsBehind(deps: HealthDeps): Promise<string | undefined> {
  const positions = await checkpointPositions(deps.pool, deps.projections);
  const checkpoint = (name: string) => positions.get(name) ?? 0n;
  const slowest = deps.projections.reduce(
    (min, name) => (checkpoint(name) < min ? checkpoint(name) : min),
    checkpoint(deps.projections[0] ?? ''),
  );
  const ahead = await deps.store
    .readAll({ after: slowest, maxCount: deps.maxProjectionLag + 1 })
    .catch((error: unknown) => {
      if (error instanceof InvalidPositionError) return undefined;
      throw error;
    });
  if (ahead === undefined)
    return 'a checkpoint is not a position of this event store: rebuild the projections';
  const mustReach = ahead.length > deps.maxProjectionLag ? ahead[0]?.position : undefined;
  if (mustReach === undefined) return undefined;
  const behind = deps.projections.filter((name) => checkpoint(name) < mustReach);
  return `more than ${deps.maxProjectionLag} events behind the log (the slowest): ${behind.join(', ')}`;
}

export function healthRoutes(deps: HealthDeps) {
  return async (app: HttpApp) => {
    app.get(
      '/health/live',
      {
        schema: {
          tags: ['operations'],
          summary: 'Liveness',
          operationId: 'live',
          response: {
            200: Type.Object({ status: Type.Literal('ok') }, { description: 'The process is up' }),
            ...problems(400),
          },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/health/ready',
      {
        schema: {
          tags: ['operations'],
          summary: 'Readiness',
          operationId: 'ready',
          description: 'Ready when the event store and database answer and projections are caught up.',
          response: {
            200: Type.Object(
              { status: Type.String(), checks: Type.Record(Type.String(), Check) },
              { description: 'Ready' },
            ),
            503: Type.Object(
              { status: Type.String(), checks: Type.Record(Type.String(), Check) },
              { description: 'Not ready: which check failed' },
            ),
            ...problems(400),
          },
        },
      },
      async (request, reply) => {
        const [eventStore, database, projections] = await Promise.all([
          check('eventStore', request.log, async () => {
            await deps.store.ping();
            return undefined;
          }),
          check('database', request.log, async () => {
            await deps.pool.query('SELECT 1');
            return undefined;
          }),
          deps.projections.length === 0
            ? undefined
            : check('projections', request.log, () => projectionsBehind(deps)),
        ]);
        const checks = { eventStore, database, ...(projections ? { projections } : {}) };
        const ok = Object.values(checks).every((result) => result.ok);
        return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
      },
    );
  };
}
