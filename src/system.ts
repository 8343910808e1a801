/*
 * The composition root: builds every client, pool and service once and starts the roles asked for.
 * Long because it is the one place where the parts meet; it holds wiring, never logic.
 */
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import pg from 'pg';
import { emailIndexKeyFrom, findUserBy, loadUser } from './commands/accounts.js';
import { AggregateCache } from './commands/aggregate-cache.js';
import { createCommandInstruments } from './commands/command-instruments.js';
import { StreamLocks } from './commands/stream-locks.js';
import { userExistence } from './commands/user-exists.js';
import { createLoginThrottle } from './commands/login-throttle.js';
import { createMessaging } from './commands/messaging.js';
import { createSendRate } from './commands/send-rate.js';
import { requireVerifiedEmail } from './commands/verified-email-policy.js';
import { accountRoutes, type AccountRoutesDeps } from './commands/routes/account-routes.js';
import { meRoutes } from './commands/routes/me-routes.js';
import { passwordResetRoutes } from './commands/routes/password-reset-routes.js';
import { blockRoutes } from './commands/routes/block-routes.js';
import { contactRoutes } from './commands/routes/contact-routes.js';
import { conversationRoutes } from './commands/routes/conversation-routes.js';
import { messageRoutes } from './commands/routes/message-routes.js';
import { profileRoutes } from './commands/routes/profile-routes.js';
import { createEventStore } from './eventstore/create-event-store.js';
import { startSharedLog } from './eventstore/shared-log.js';
import { openLog, type LogStore } from './log.js';
import { migrateStoreIdentity, projectionsFromOtherStores } from './eventstore/store-identity.js';
import { authenticate } from './http/authenticate.js';
import type { Config, Role } from './platform/config.js';
import { healthRoutes } from './http/health-routes.js';
import { createHttpApp, type HttpApp } from './http/http-app.js';
import {
  createCommandMetrics,
  createMetrics,
  createRealtimeMetrics,
  installMetrics,
  registerLogGauges,
} from './http/metrics.js';
import { startOpsServer } from './http/ops-server.js';
import { createTracing } from './platform/tracing.js';
import { openPersonalDataKeys } from './platform/personal-data-keys.js';
import type { Logger } from './platform/logger.js';
import { logIdleConnectionErrors } from './platform/pool-errors.js';
import { createMailer } from './platform/mailer.js';
import { createPasswordHasher, type PasswordHasher } from './platform/passwords.js';
import { createRateLimiter } from './platform/rate-limiter.js';
import { createTokenService } from './platform/tokens.js';
import { webPageRoutes } from './http/web-page.js';
import { allProjections } from './projections/all-projections.js';
import { startProjectors, type RunningProjectors } from './projections/runner.js';
import { migrateReadModels } from './read-models/migrations.js';
import { accountQueries } from './read-api/account-queries.js';
import { contactQueries } from './read-api/contact-queries.js';
import { conversationDetailQuery } from './read-api/conversation-detail-query.js';
import { conversationQueries } from './read-api/conversation-queries.js';
import { exportQueries } from './read-api/export-queries.js';
import { minPositionHook } from './read-api/min-position.js';
import { createPositionWatcher, type PositionWatcher } from './read-api/position-watcher.js';
import { asyncApiRoute } from './realtime/asyncapi.js';
import { frameFor } from './realtime/delivery/frames.js';
import { migrateRealtime } from './realtime/presence/presence-schema.js';
import { startRealtimeServer, type RealtimeServer } from './realtime/server.js';

export interface RunningSystem {
  /** Bound HTTP port, when a role that serves HTTP runs. */
  readonly httpPort: number | undefined;
  readonly realtimePort: number | undefined;
  /** Bound operations port (health and metrics), when OPS_PORT is set. */
  readonly opsPort: number | undefined;
  readonly store: LogStore;
  readonly pool: pg.Pool;
  stop(): Promise<void>;
}

/** Creates the schemas the roles need: the event store's (by opening it) and the read models'. */
export async function migrateAll(config: Config, logger: Logger): Promise<void> {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  try {
    await migrateReadModels(pool);
    await migrateStoreIdentity(pool);
    await migrateRealtime(pool);
    await openPersonalDataKeys(pool, config.personalDataMasterKey);
    const store = await createEventStore({ url: config.eventStoreUrl, logger });
    await store.close();
  } finally {
    await pool.end();
  }
}

/** Starts the given roles in this process, all sharing one event store and one database pool. */
export async function startSystem(
  config: Config,
  logger: Logger,
  /** Spans go to `traceExporter` (tests) instead of the configured OTLP endpoint. */
  options: { readonly traceExporter?: SpanExporter } = {},
): Promise<RunningSystem> {
  const roles = new Set<Role>(config.roles);
  const tracing = createTracing({
    ...(config.otlpTracesUrl === undefined ? {} : { otlpTracesUrl: config.otlpTracesUrl }),
    ...(options.traceExporter ? { exporter: options.traceExporter } : {}),
    serviceName: config.serviceName,
    sampleRatio: config.traceSampleRatio,
    attributes: { 'chat.roles': [...roles].join(',') },
  });
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.databasePoolSize });
  logIdleConnectionErrors(pool, logger, 'idle database connection failed');
  // Closed last: spans of the shutdown itself are still exported.
  const closers: (() => Promise<void>)[] = [async () => tracing?.shutdown(), () => pool.end()];
  const stop = async () => {
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'));
    }
  };
  try {
    await migrateReadModels(pool);
    // The adapter as it is, for what counts events whatever their type (readiness lag, gauges);
    // everything else reads the log through its decoding boundary.
    const adapter = await createEventStore({ url: config.eventStoreUrl, logger });
    // The log in this database: appends write the keys they bring (see openPersonalDataKeys).
    const personalDataKeys = await openPersonalDataKeys(pool, config.personalDataMasterKey, {
      writtenByAppends: config.eventStoreUrl === config.databaseUrl,
    });
    const store = openLog(adapter, logger, personalDataKeys);
    const emailIndexKey = emailIndexKeyFrom(config.personalDataMasterKey);
    closers.push(() => store.close());
    // One reader of the log for the whole process: projections, realtime and the command caches.
    const log = await startSharedLog(store, logger);
    closers.push(() => log.stop());
    const metrics = createMetrics();
    registerLogGauges(metrics, { store: adapter, pool });
    const commandContext = {
      store,
      cache: new AggregateCache(config.aggregateCacheSize, log),
      locks: new StreamLocks(),
      ...(roles.has('commands')
        ? { instruments: createCommandInstruments({ tracing, metrics: createCommandMetrics(metrics) }) }
        : {}),
    };
    // A token whose user does not exist is refused; the user is read from the log (cached and kept
    // current by the log), not from the read model, which lags behind a fresh registration.
    const userExists = async (userId: string) => (await loadUser(commandContext, userId)) !== undefined;
    // The message use cases, for the HTTP routes and the WebSocket commands alike: a realtime node
    // without the commands role takes socket commands too, on the same store, with the same rules.
    // One send-rate bucket per user for both doors.
    const sendRate = createSendRate({ perMinute: config.sendRatePerMinute, log });
    const messaging = createMessaging({ ...commandContext, now: () => new Date(), sendRate });
    const isVerified = async (userId: string) =>
      (await loadUser(commandContext, userId))?.emailVerified === true;
    const tokens = createTokenService({
      secret: config.jwtSecret,
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    });

    let projectors: RunningProjectors | undefined;
    if (roles.has('projections')) {
      // Checkpoints from another event store mean nothing in this one: those wait for a rebuild.
      const names = allProjections.map((projection) => projection.name);
      const stale = await projectionsFromOtherStores(pool, names, await store.identity());
      if (stale.length > 0) {
        logger.error(
          { projections: stale },
          'projections built from another event store are not started: run `projections rebuild <name>` for each, then restart',
        );
      }
      const runnable = allProjections.filter((projection) => !stale.includes(projection.name));
      if (runnable.length > 0) {
        projectors = startProjectors(runnable, { log, pool, logger, tracing });
        closers.push(() => projectors!.stop());
      }
    }

    let http: HttpApp | undefined;
    let realtime: RealtimeServer | undefined;
    if (roles.has('commands') || roles.has('read-api')) {
      let passwords: PasswordHasher | undefined;
      let watcher: PositionWatcher | undefined;
      if (roles.has('commands')) {
        passwords = createPasswordHasher({ rounds: config.bcryptRounds });
        closers.push(() => passwords!.close());
      }
      if (roles.has('read-api')) {
        watcher = createPositionWatcher({ pool, projections: allProjections.map((p) => p.name) });
        closers.push(async () => watcher!.close());
      }
      const app = await createHttpApp({
        logger,
        trustProxy: config.trustProxy,
        docs: config.opsEndpoints,
        corsOrigins: config.corsOrigins,
        tracing,
      });
      installMetrics(app, metrics, { serve: config.opsEndpoints });
      const now = () => new Date();
      await app.register(webPageRoutes({ realtimePort: () => realtime?.port ?? config.realtimePort }));
      await app.register(asyncApiRoute());
      await app.register(
        healthRoutes({
          store: adapter,
          pool,
          projections: allProjections.map((p) => p.name),
          maxProjectionLag: config.readinessMaxProjectionLag,
        }),
      );
      let accountDeps: AccountRoutesDeps | undefined;
      if (passwords) {
        const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger });
        closers.push(() => mailer.close());
        const limiter = createRateLimiter(pool);
        accountDeps = {
          ...commandContext,
          passwords,
          tokens,
          now,
          refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
          refreshRotationKey: config.keys.refreshRotation,
          refreshRetryGraceSeconds: config.refreshRetryGraceSeconds,
          mailer,
          logger,
          emailVerificationTtlSeconds: config.emailVerificationTtlSeconds,
          verificationKey: config.keys.emailVerification,
          limiter,
          loginThrottle: createLoginThrottle(
            limiter,
            config.loginLimits,
            async (login) =>
              (
                await findUserBy(
                  { ...commandContext, emailIndexKey },
                  login.includes('@') ? 'email' : 'username',
                  login,
                )
              )?.userId,
          ),
          registrationsPerIpPerHour: config.registrationsPerIpPerHour,
          emailIndexKey,
        };
        await app.register(accountRoutes(accountDeps));
        await app.register(
          passwordResetRoutes({ ...accountDeps, passwordResetTtlSeconds: config.passwordResetTtlSeconds }),
        );
      }
      await app.register(async (protectedScope: HttpApp) => {
        protectedScope.decorateRequest('auth', null);
        protectedScope.addHook('onRequest', authenticate({ tokens, userExists }));
        if (config.requireEmailVerification)
          protectedScope.addHook('onRequest', requireVerifiedEmail(isVerified));
        if (watcher)
          protectedScope.addHook(
            'onRequest',
            minPositionHook(watcher, config.readYourWritesTimeoutMs, {
              knownPosition: () => log.position,
              headPosition: () => store.headPosition(),
            }),
          );
        if (roles.has('commands')) {
          await protectedScope.register(contactRoutes({ ...commandContext, now }));
          await protectedScope.register(messageRoutes({ messaging }));
          await protectedScope.register(conversationRoutes({ ...commandContext, now, messaging }));
          await protectedScope.register(blockRoutes({ ...commandContext, now }));
          await protectedScope.register(profileRoutes({ ...commandContext, now }));
          await protectedScope.register(
            meRoutes({ ...accountDeps!, passwordResetTtlSeconds: config.passwordResetTtlSeconds }),
          );
        }
        if (roles.has('read-api')) {
          await protectedScope.register(accountQueries({ pool }));
          await protectedScope.register(contactQueries({ pool }));
          await protectedScope.register(conversationQueries({ pool }));
          await protectedScope.register(conversationDetailQuery({ pool }));
          await protectedScope.register(exportQueries({ pool }));
        }
      });
      await app.listen({ host: config.host, port: config.port });
      http = app;
      closers.push(() => app.close());
    }

    if (roles.has('realtime')) {
      realtime = await startRealtimeServer({
        host: config.host,
        port: config.realtimePort,
        store,
        log,
        pool,
        tokens,
        frameFor,
        logger,
        messaging,
        nodeTimeoutMs: config.realtimeNodeTimeoutSeconds * 1000,
        replayLimit: config.realtimeReplayLimit,
        maxConnectionsPerUser: config.realtimeMaxConnectionsPerUser || Number.MAX_SAFE_INTEGER,
        // With verification required, an unverified account has no socket (its commands would bypass the policy).
        userExists: config.requireEmailVerification ? isVerified : userExistence(commandContext),
        maxBackpressureBytes: config.realtimeMaxBackpressureBytes,
        idleTimeoutSeconds: config.realtimeIdleTimeoutSeconds,
        metrics: createRealtimeMetrics(metrics),
        tracing,
      });
      closers.push(() => realtime!.close());
    }

    let ops: HttpApp | undefined;
    if (config.opsPort !== undefined) {
      ops = await startOpsServer({
        host: config.host,
        port: config.opsPort,
        logger,
        metrics,
        health: {
          store: adapter,
          pool,
          // A realtime-only process reads no read model that projections write.
          projections: roles.has('projections') || http ? allProjections.map((p) => p.name) : [],
          maxProjectionLag: config.readinessMaxProjectionLag,
        },
      });
      closers.push(() => ops!.close());
    }
    const opsAddress = ops?.server.address();

    const address = http?.server.address();
    logger.info(
      {
        roles: [...roles],
        httpPort: config.port,
        realtimePort: realtime?.port,
        opsPort: config.opsPort,
        tracing: tracing !== undefined,
      },
      'system started',
    );
    return {
      httpPort: address && typeof address === 'object' ? address.port : undefined,
      realtimePort: realtime?.port,
      opsPort: opsAddress && typeof opsAddress === 'object' ? opsAddress.port : undefined,
      store,
      pool,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
