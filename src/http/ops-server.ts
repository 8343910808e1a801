import { healthRoutes, type HealthDeps } from './health-routes.js';
import { createHttpApp, type HttpApp } from './http-app.js';
import type { Logger } from '../platform/logger.js';
import { serveMetrics, type Metrics } from './metrics.js';

/**
 * The operator's port (OPS_PORT): `/health/live`, `/health/ready` and `/metrics`, for every
 * process whatever its roles, and the only HTTP a projections-only or realtime-only process
 * serves. Meant to stay private (no authentication), so `/metrics` is served here whatever
 * OPS_ENDPOINTS says.
 */
export async function startOpsServer(options: {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly health: HealthDeps;
}): Promise<HttpApp> {
  const app = await createHttpApp({ logger: options.logger.child({ component: 'ops' }), docs: false });
  await app.register(healthRoutes(options.health));
  serveMetrics(app, options.metrics);
  await app.listen({ host: options.host, port: options.port });
  return app;
}
