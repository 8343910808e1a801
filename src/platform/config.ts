/*
 * The one config module: every tunable, read once from the environment, validated, with its
 * default once. Long because it is the whole table of them.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { createHash } from 'node:crypto';

export const ROLES = ['commands', 'read-api', 'projections', 'realtime'] as const;
export type Role = (typeof ROLES)[number];

/** Used only when NODE_ENV says development or test and JWT_SECRET is unset; start-up warns loudly. */
const DEVELOPMENT_JWT_SECRET = 'development-only-secret-do-not-use-in-production';
/** A secret with fewer different characters than this is a placeholder, not a key. */
const MIN_DISTINCT_SECRET_CHARACTERS = 10;

/**
 * Defaults of the realtime node, shared with its own options (a node started without config, as
 * tests do, gets the same values as one started from the environment).
 */
export const REALTIME_DEFAULTS = Object.freeze({
  host: '0.0.0.0',
  nodeTimeoutSeconds: 30,
  replayLimit: 10_000,
  maxConnectionsPerUser: 20,
  maxBackpressureBytes: 1024 * 1024,
  idleTimeoutSeconds: 60,
});

const EnvSchema = Type.Object({
  NODE_ENV: Type.Optional(
    Type.Union([Type.Literal('production'), Type.Literal('development'), Type.Literal('test')]),
  ),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  EVENTSTORE_URL: Type.Optional(
    Type.String({ pattern: '^(postgres(ql)?|esdb(\\+discover)?|kurrentdb(\\+discover)?)://' }),
  ),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
  REALTIME_PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
  REALTIME_NODE_TIMEOUT_SECONDS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$' })),
  REALTIME_REPLAY_LIMIT: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,6}$' })),
  REALTIME_MAX_CONNECTIONS_PER_USER: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,4})$' })),
  REALTIME_MAX_BACKPRESSURE_BYTES: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{3,9}$' })),
  // uWebSockets.js takes 0 (off) or 8 to 960 seconds, and aborts the process on anything else.
  REALTIME_IDLE_TIMEOUT_SECONDS: Type.Optional(
    Type.String({ pattern: '^(0|[89]|[1-9][0-9]|[1-8][0-9]{2}|9[0-5][0-9]|960)$' }),
  ),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  ACCESS_TOKEN_TTL_SECONDS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]*$' })),
  REFRESH_TOKEN_TTL_SECONDS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$' })),
  REFRESH_RETRY_GRACE_SECONDS: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
  READINESS_MAX_PROJECTION_LAG: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,6}$' })),
  DATABASE_POOL_SIZE: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })),
  AGGREGATE_CACHE_SIZE: Type.Optional(Type.String({ pattern: '^[0-9]{1,7}$' })),
  BCRYPT_ROUNDS: Type.Optional(Type.String({ pattern: '^([4-9]|1[0-5])$' })),
  LOG_LEVEL: Type.Optional(
    Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    ),
  ),
  ROLES: Type.Optional(Type.String({ pattern: '^[a-z-]+(,[a-z-]+)*$' })),
  READ_YOUR_WRITES_TIMEOUT_MS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$' })),
  TRUST_PROXY: Type.Optional(
    Type.String({ pattern: '^(true|false|[0-9]{1,2}|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$' }),
  ),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://[^\\s]+$' })),
  MAIL_TO_LOG: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  OPS_ENDPOINTS: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  MAIL_FROM: Type.Optional(Type.String({ pattern: '^[^\\r\\n]*@[^\\r\\n]*$', maxLength: 254 })),
  EMAIL_VERIFICATION_TTL_SECONDS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,6}$' })),
  REQUIRE_EMAIL_VERIFICATION: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  PASSWORD_RESET_TTL_SECONDS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$' })),
  PERSONAL_DATA_KEY: Type.Optional(Type.String({ minLength: 32 })),
  LOGIN_MAX_FAILURES: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$' })),
  LOGIN_FAILURE_WINDOW_SECONDS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$' })),
  LOGIN_IP_MAX_ATTEMPTS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$' })),
  LOGIN_IP_WINDOW_SECONDS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$' })),
  REGISTRATIONS_PER_IP_PER_HOUR: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,5})$' })),
  SEND_RATE_PER_MINUTE: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,5})$' })),
  CORS_ORIGINS: Type.Optional(Type.String({ pattern: '^https?://[^\\s,]+( *, *https?://[^\\s,]+)*$' })),
  OPS_PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  OTEL_SERVICE_NAME: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  OTEL_TRACES_SAMPLER_ARG: Type.Optional(Type.String({ pattern: '^(0(\\.[0-9]+)?|1(\\.0+)?)$' })),
});
type Env = Static<typeof EnvSchema>;

export interface Config {
  readonly production: boolean;
  readonly databaseUrl: string;
  /** The event store; the read-model database unless set. */
  readonly eventStoreUrl: string;
  readonly host: string;
  readonly port: number;
  readonly realtimePort: number;
  /** A realtime node silent for this long counts as dead: other nodes take its users offline. */
  readonly realtimeNodeTimeoutSeconds: number;
  /** Most events a resume may scan; past it the client gets `resync` instead of a partial replay. */
  readonly realtimeReplayLimit: number;
  /** Open WebSockets one user may have on one realtime node; past it an upgrade answers 429. */
  readonly realtimeMaxConnectionsPerUser: number;
  /** Bytes a WebSocket may have buffered before it is closed as a slow consumer. */
  readonly realtimeMaxBackpressureBytes: number;
  readonly realtimeIdleTimeoutSeconds: number;
  readonly jwtSecret: string;
  readonly jwtSecretIsDevelopmentDefault: boolean;
  readonly accessTokenTtlSeconds: number;
  /** How long a login session (its refresh token family) lasts without use. */
  readonly refreshTokenTtlSeconds: number;
  /** A client that lost the answer to a refresh may retry it this long with the same token. */
  readonly refreshRetryGraceSeconds: number;
  /** Keys derived from JWT_SECRET, one per purpose, so that no two uses share one. */
  readonly keys: { readonly refreshRotation: Buffer; readonly emailVerification: Buffer };
  /** /health/ready fails when a projection is more than this many events behind the log. */
  readonly readinessMaxProjectionLag: number;
  /** Connections of the process's PostgreSQL pool (read models, checkpoints, presence). */
  readonly databasePoolSize: number;
  /** Aggregates (streams' folded states) the command side keeps in memory; 0 keeps none. */
  readonly aggregateCacheSize: number;
  readonly bcryptRounds: number;
  readonly logLevel: string;
  readonly roles: readonly Role[];
  /** How long a query with X-Min-Position waits for the read models before answering 503. */
  readonly readYourWritesTimeoutMs: number;
  /** Which proxies' X-Forwarded-For to believe for the client address (rate limits): fastify's trustProxy. */
  readonly trustProxy: boolean | string;
  /** Where mail goes (smtp:// or smtps://); without it mails are written to the log. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly emailVerificationTtlSeconds: number;
  /** An unverified user may only log in, verify, read and erase their account; the rest answers 403. */
  readonly requireEmailVerification: boolean;
  readonly passwordResetTtlSeconds: number;
  /** Wraps the per-subject keys personal data is sealed under (see src/platform/personal-data-keys.ts). */
  readonly personalDataMasterKey: Buffer;
  readonly loginLimits: LoginLimits;
  /** Accounts one client address may create per hour (POST /v1/auth/register answers 429 past it); 0: no limit. */
  readonly registrationsPerIpPerHour: number;
  /** Messages one user may send per minute, in bursts of up to half of it; 0: no limit. */
  readonly sendRatePerMinute: number;
  /** Serve GET /metrics and Swagger UI at /docs on the public port. */
  readonly opsEndpoints: boolean;
  /** Browser origins (scheme://host[:port]) allowed to call the HTTP API; none by default. */
  readonly corsOrigins: readonly string[];
  /** A private port serving /health/live, /health/ready and /metrics, whatever the roles; none unless set. */
  readonly opsPort: number | undefined;
  /** Tracing: where spans go (OTLP over HTTP); tracing is off without it. */
  readonly otlpTracesUrl: string | undefined;
  readonly serviceName: string;
  /** Share of new traces recorded (traces continued from a caller follow the caller's choice). */
  readonly traceSampleRatio: number;
}

export interface LoginLimits {
  /** Failed logins for one username (or email) within the window before it answers 429. */
  readonly maxFailures: number;
  readonly failureWindowSeconds: number;
  /** Failed logins from one client IP within its window before it answers 429. */
  readonly maxAttemptsPerIp: number;
  readonly ipWindowSeconds: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseRoles(text: string): Role[] {
  const roles = text.split(',').map((role) => role.trim());
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new ConfigError(`unknown role "${role}": roles are ${ROLES.join(', ')}`);
    }
  }
  return [...new Set(roles as Role[])];
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (parsed > 65535) throw new ConfigError(`${name} must be a port number (0-65535), got ${value}`);
  return parsed;
}

function trustProxy(value: string | undefined): boolean | string {
  if (value === undefined || value === 'false') return false;
  return value === 'true' ? true : value;
}

/** Reads the environment once, validates it and fails naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const relevant = Object.fromEntries(
    // An empty value counts as unset (compose files pass `${VAR:-}`).
    Object.keys(EnvSchema.properties).flatMap((key) =>
      env[key] === undefined || env[key] === '' ? [] : [[key, env[key]]],
    ),
  );
  const firstError = Value.Errors(EnvSchema, relevant).First();
  if (firstError) {
    const variable = firstError.path.replace(/^\//, '');
    throw new ConfigError(`invalid environment variable ${variable}: ${firstError.message}`);
  }
  const valid = relevant as Env;
  const production = valid.NODE_ENV === 'production';
  // Development defaults only where the environment says so: unset is not development.
  const development = valid.NODE_ENV === 'development' || valid.NODE_ENV === 'test';
  if (!development && valid.JWT_SECRET === undefined) {
    throw new ConfigError(
      'JWT_SECRET must be set (at least 32 characters) unless NODE_ENV is development or test',
    );
  }
  if (
    valid.JWT_SECRET !== undefined &&
    (new Set(valid.JWT_SECRET).size < MIN_DISTINCT_SECRET_CHARACTERS ||
      (!development && valid.JWT_SECRET === DEVELOPMENT_JWT_SECRET))
  ) {
    throw new ConfigError(
      'invalid environment variable JWT_SECRET: use a random key (for example `openssl rand -base64 48`)',
    );
  }
  if (!development && valid.SMTP_URL === undefined && valid.MAIL_TO_LOG !== 'true') {
    throw new ConfigError(
      'SMTP_URL must be set unless NODE_ENV is development or test; MAIL_TO_LOG=true writes mails (verification codes included) to the log instead',
    );
  }
  if (
    valid.PERSONAL_DATA_KEY !== undefined &&
    new Set(valid.PERSONAL_DATA_KEY).size < MIN_DISTINCT_SECRET_CHARACTERS
  ) {
    throw new ConfigError(
      'invalid environment variable PERSONAL_DATA_KEY: use a random key (for example `openssl rand -base64 48`)',
    );
  }
  const jwtSecret = valid.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET;
  const databaseUrl = valid.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const derivedKey = (purpose: string) => createHash('sha256').update(`${purpose}:${jwtSecret}`).digest();
  return Object.freeze({
    production,
    databaseUrl,
    eventStoreUrl: valid.EVENTSTORE_URL ?? databaseUrl,
    host: valid.HOST ?? REALTIME_DEFAULTS.host,
    port: port(valid.PORT, 3000, 'PORT'),
    realtimePort: port(valid.REALTIME_PORT, 3001, 'REALTIME_PORT'),
    realtimeNodeTimeoutSeconds: Number(
      valid.REALTIME_NODE_TIMEOUT_SECONDS ?? REALTIME_DEFAULTS.nodeTimeoutSeconds,
    ),
    realtimeReplayLimit: Number(valid.REALTIME_REPLAY_LIMIT ?? REALTIME_DEFAULTS.replayLimit),
    realtimeMaxConnectionsPerUser: Number(
      valid.REALTIME_MAX_CONNECTIONS_PER_USER ?? REALTIME_DEFAULTS.maxConnectionsPerUser,
    ),
    realtimeMaxBackpressureBytes: Number(
      valid.REALTIME_MAX_BACKPRESSURE_BYTES ?? REALTIME_DEFAULTS.maxBackpressureBytes,
    ),
    realtimeIdleTimeoutSeconds: Number(
      valid.REALTIME_IDLE_TIMEOUT_SECONDS ?? REALTIME_DEFAULTS.idleTimeoutSeconds,
    ),
    jwtSecret,
    jwtSecretIsDevelopmentDefault: valid.JWT_SECRET === undefined,
    accessTokenTtlSeconds: Number(valid.ACCESS_TOKEN_TTL_SECONDS ?? 900),
    refreshTokenTtlSeconds: Number(valid.REFRESH_TOKEN_TTL_SECONDS ?? 30 * 24 * 3600),
    refreshRetryGraceSeconds: Number(valid.REFRESH_RETRY_GRACE_SECONDS ?? 10),
    keys: Object.freeze({
      refreshRotation: derivedKey('refresh-rotation'),
      emailVerification: derivedKey('email-verification'),
    }),
    readinessMaxProjectionLag: Number(valid.READINESS_MAX_PROJECTION_LAG ?? 1000),
    databasePoolSize: Number(valid.DATABASE_POOL_SIZE ?? 20),
    aggregateCacheSize: Number(valid.AGGREGATE_CACHE_SIZE ?? 10_000),
    bcryptRounds: Number(valid.BCRYPT_ROUNDS ?? 10),
    logLevel: valid.LOG_LEVEL ?? 'info',
    roles: Object.freeze(parseRoles(valid.ROLES ?? ROLES.join(','))),
    readYourWritesTimeoutMs: Number(valid.READ_YOUR_WRITES_TIMEOUT_MS ?? 5000),
    trustProxy: trustProxy(valid.TRUST_PROXY),
    smtpUrl: valid.SMTP_URL,
    mailFrom: valid.MAIL_FROM ?? 'Chat <no-reply@localhost>',
    emailVerificationTtlSeconds: Number(valid.EMAIL_VERIFICATION_TTL_SECONDS ?? 24 * 3600),
    requireEmailVerification:
      valid.REQUIRE_EMAIL_VERIFICATION === undefined
        ? production
        : valid.REQUIRE_EMAIL_VERIFICATION === 'true',
    passwordResetTtlSeconds: Number(valid.PASSWORD_RESET_TTL_SECONDS ?? 3600),
    // Derived from JWT_SECRET when not given: then JWT_SECRET must never change (see the README).
    personalDataMasterKey: createHash('sha256')
      .update(valid.PERSONAL_DATA_KEY ?? `personal-data-master-key:${jwtSecret}`)
      .digest(),
    registrationsPerIpPerHour: Number(valid.REGISTRATIONS_PER_IP_PER_HOUR ?? 20),
    sendRatePerMinute: Number(valid.SEND_RATE_PER_MINUTE ?? 120),
    opsEndpoints: valid.OPS_ENDPOINTS === undefined ? !production : valid.OPS_ENDPOINTS === 'true',
    corsOrigins: Object.freeze(
      valid.CORS_ORIGINS?.split(',').map((origin) => origin.trim().replace(/\/$/, '')) ?? [],
    ),
    opsPort: valid.OPS_PORT === undefined ? undefined : port(valid.OPS_PORT, 0, 'OPS_PORT'),
    otlpTracesUrl:
      valid.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
      (valid.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
        ? undefined
        : `${valid.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`),
    serviceName: valid.OTEL_SERVICE_NAME ?? 'chat-backend',
    traceSampleRatio: Number(valid.OTEL_TRACES_SAMPLER_ARG ?? 1),
    loginLimits: Object.freeze({
      maxFailures: Number(valid.LOGIN_MAX_FAILURES ?? 5),
      failureWindowSeconds: Number(valid.LOGIN_FAILURE_WINDOW_SECONDS ?? 15 * 60),
      maxAttemptsPerIp: Number(valid.LOGIN_IP_MAX_ATTEMPTS ?? 30),
      ipWindowSeconds: Number(valid.LOGIN_IP_WINDOW_SECONDS ?? 60),
    }),
  });
}
