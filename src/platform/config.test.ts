import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

/** What `npm start` runs with: development defaults allowed. */
const DEV = { NODE_ENV: 'development' } as const;

describe('loadConfig', () => {
  it('has defaults that start the whole system against the local PostgreSQL', () => {
    const config = loadConfig(DEV);
    expect(config).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
      eventStoreUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
      port: 3000,
      realtimePort: 3001,
      roles: ['commands', 'read-api', 'projections', 'realtime'],
      jwtSecretIsDevelopmentDefault: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('holds every tunable, with one default each, and derives a key per purpose from the secret', () => {
    const config = loadConfig(DEV);
    expect(config).toMatchObject({
      refreshTokenTtlSeconds: 30 * 24 * 3600,
      refreshRetryGraceSeconds: 10,
      readinessMaxProjectionLag: 1000,
      databasePoolSize: 20,
      aggregateCacheSize: 10_000,
    });
    const tuned = loadConfig({
      ...DEV,
      REFRESH_TOKEN_TTL_SECONDS: '3600',
      REFRESH_RETRY_GRACE_SECONDS: '0',
      READINESS_MAX_PROJECTION_LAG: '50',
      DATABASE_POOL_SIZE: '5',
      AGGREGATE_CACHE_SIZE: '0',
    });
    expect(tuned).toMatchObject({
      refreshTokenTtlSeconds: 3600,
      refreshRetryGraceSeconds: 0,
      readinessMaxProjectionLag: 50,
      databasePoolSize: 5,
      aggregateCacheSize: 0,
    });
    expect(() => loadConfig({ ...DEV, DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
    const { refreshRotation, emailVerification } = config.keys;
    expect(refreshRotation.equals(emailVerification)).toBe(false);
    const other = loadConfig({ ...DEV, JWT_SECRET: 'another-secret-0123456789-abcdefghijklmnop' });
    expect(other.keys.refreshRotation.equals(refreshRotation)).toBe(false);
  });

  it('fails naming the variable at fault', () => {
    expect(() => loadConfig({ ...DEV, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ...DEV, PORT: '70000' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...DEV, EVENTSTORE_URL: 'mysql://x' })).toThrow(/EVENTSTORE_URL/);
    expect(() => loadConfig({ ...DEV, JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ ...DEV, ROLES: 'commands,cooking' })).toThrow(/cooking/);
  });

  it('reads which proxies to trust for the client address', () => {
    expect(loadConfig(DEV).trustProxy).toBe(false);
    expect(loadConfig({ ...DEV, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...DEV, TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).trustProxy).toBe(
      '10.0.0.0/8,127.0.0.1',
    );
    expect(() => loadConfig({ ...DEV, TRUST_PROXY: 'everyone please' })).toThrow(/TRUST_PROXY/);
  });

  it('bounds how long a silent realtime node keeps its users online', () => {
    expect(loadConfig(DEV).realtimeNodeTimeoutSeconds).toBe(30);
    expect(loadConfig({ ...DEV, REALTIME_NODE_TIMEOUT_SECONDS: '5' }).realtimeNodeTimeoutSeconds).toBe(5);
    expect(() => loadConfig({ ...DEV, REALTIME_NODE_TIMEOUT_SECONDS: '0' })).toThrow(
      /REALTIME_NODE_TIMEOUT_SECONDS/,
    );
  });

  it('takes the realtime bounds, refusing idle timeouts uWebSockets.js would abort on', () => {
    expect(loadConfig(DEV)).toMatchObject({
      realtimeReplayLimit: 10_000,
      realtimeMaxBackpressureBytes: 1024 * 1024,
      realtimeIdleTimeoutSeconds: 60,
    });
    expect(loadConfig({ ...DEV, REALTIME_IDLE_TIMEOUT_SECONDS: '0' }).realtimeIdleTimeoutSeconds).toBe(0);
    expect(loadConfig({ ...DEV, REALTIME_IDLE_TIMEOUT_SECONDS: '960' }).realtimeIdleTimeoutSeconds).toBe(960);
    for (const bad of ['5', '961', '1000']) {
      expect(() => loadConfig({ ...DEV, REALTIME_IDLE_TIMEOUT_SECONDS: bad })).toThrow(
        /REALTIME_IDLE_TIMEOUT_SECONDS/,
      );
    }
    expect(loadConfig({ ...DEV, REALTIME_REPLAY_LIMIT: '500' }).realtimeReplayLimit).toBe(500);
  });

  it('uses development defaults only when NODE_ENV says development or test', () => {
    const secret = 'k3y-With-Enough-Different-Characters-0123456789';
    const mail = { SMTP_URL: 'smtp://mail.example.com' };
    for (const env of [{}, { NODE_ENV: 'production' }]) {
      expect(() => loadConfig({ ...env, ...mail })).toThrow(/JWT_SECRET/);
    }
    expect(() => loadConfig({ NODE_ENV: 'Production', JWT_SECRET: secret, ...mail })).toThrow(/NODE_ENV/);
    expect(loadConfig({ NODE_ENV: 'test' }).jwtSecretIsDevelopmentDefault).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, ...mail })).toMatchObject({
      production: true,
      jwtSecretIsDevelopmentDefault: false,
    });
  });

  it('refuses a placeholder secret, and the development one outside development', () => {
    const mail = { SMTP_URL: 'smtp://mail.example.com' };
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a'.repeat(32), ...mail })).toThrow(
      /JWT_SECRET/,
    );
    expect(() => loadConfig({ ...DEV, JWT_SECRET: 'abababababababababababababababab' })).toThrow(
      /JWT_SECRET/,
    );
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: 'development-only-secret-do-not-use-in-production',
        ...mail,
      }),
    ).toThrow(/JWT_SECRET/);
  });

  it('requires verified emails in production unless told otherwise', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'k3y-With-Enough-Different-Characters-0123456789',
      MAIL_TO_LOG: 'true',
    };
    expect(loadConfig(production).requireEmailVerification).toBe(true);
    expect(loadConfig({ ...production, REQUIRE_EMAIL_VERIFICATION: 'false' }).requireEmailVerification).toBe(
      false,
    );
    expect(loadConfig(DEV).requireEmailVerification).toBe(false);
    expect(() => loadConfig({ ...DEV, REQUIRE_EMAIL_VERIFICATION: 'yes' })).toThrow(
      /REQUIRE_EMAIL_VERIFICATION/,
    );
  });

  it('takes an empty value for unset, as compose files pass them', () => {
    expect(loadConfig({ ...DEV, SMTP_URL: '', PORT: '' })).toMatchObject({ smtpUrl: undefined, port: 3000 });
  });

  it('will not write verification codes to the log in production unless told to', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'k3y-With-Enough-Different-Characters-0123456789',
    };
    expect(() => loadConfig(production)).toThrow(/SMTP_URL/);
    expect(loadConfig({ ...production, MAIL_TO_LOG: 'true' }).smtpUrl).toBeUndefined();
    expect(() => loadConfig({ ...production, MAIL_TO_LOG: 'yes' })).toThrow(/MAIL_TO_LOG/);
  });

  it('takes an EventStoreDB URL for the log while read models stay in PostgreSQL', () => {
    const config = loadConfig({
      ...DEV,
      EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
      ROLES: 'realtime',
    });
    expect(config.eventStoreUrl).toBe('esdb://localhost:2113?tls=false');
    expect(config.roles).toEqual(['realtime']);
  });

  it('reads the browser origins CORS allows, none by default', () => {
    const base = { NODE_ENV: 'test' };
    expect(loadConfig(base).corsOrigins).toEqual([]);
    expect(
      loadConfig({ ...base, CORS_ORIGINS: 'https://chat.example.com/, http://localhost:5173' }).corsOrigins,
    ).toEqual(['https://chat.example.com', 'http://localhost:5173']);
    expect(() => loadConfig({ ...base, CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
  });
});
