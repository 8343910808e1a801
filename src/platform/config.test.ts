import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has defaults that start the whole system against the local PostgreSQL', () => {
    const config = loadConfig({});
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

  it('fails naming the variable at fault', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(ConfigError);
    expect(() => loadConfig({ EVENTSTORE_URL: 'mysql://x' })).toThrow(/EVENTSTORE_URL/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ ROLES: 'commands,cooking' })).toThrow(/cooking/);
  });

  it('reads which proxies to trust for the client address', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).trustProxy).toBe('10.0.0.0/8,127.0.0.1');
    expect(() => loadConfig({ TRUST_PROXY: 'everyone please' })).toThrow(/TRUST_PROXY/);
  });

  it('bounds how long a silent realtime node keeps its users online', () => {
    expect(loadConfig({}).realtimeNodeTimeoutSeconds).toBe(30);
    expect(loadConfig({ REALTIME_NODE_TIMEOUT_SECONDS: '5' }).realtimeNodeTimeoutSeconds).toBe(5);
    expect(() => loadConfig({ REALTIME_NODE_TIMEOUT_SECONDS: '0' })).toThrow(/REALTIME_NODE_TIMEOUT_SECONDS/);
  });

  it('takes the realtime bounds, refusing idle timeouts uWebSockets.js would abort on', () => {
    expect(loadConfig({})).toMatchObject({
      realtimeReplayLimit: 10_000,
      realtimeMaxBackpressureBytes: 1024 * 1024,
      realtimeIdleTimeoutSeconds: 60,
    });
    expect(loadConfig({ REALTIME_IDLE_TIMEOUT_SECONDS: '0' }).realtimeIdleTimeoutSeconds).toBe(0);
    expect(loadConfig({ REALTIME_IDLE_TIMEOUT_SECONDS: '960' }).realtimeIdleTimeoutSeconds).toBe(960);
    for (const bad of ['5', '961', '1000']) {
      expect(() => loadConfig({ REALTIME_IDLE_TIMEOUT_SECONDS: bad })).toThrow(
        /REALTIME_IDLE_TIMEOUT_SECONDS/,
      );
    }
    expect(loadConfig({ REALTIME_REPLAY_LIMIT: '500' }).realtimeReplayLimit).toBe(500);
  });

  it('requires a real JWT secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).jwtSecretIsDevelopmentDefault,
    ).toBe(false);
  });

  it('takes an EventStoreDB URL for the log while read models stay in PostgreSQL', () => {
    const config = loadConfig({ EVENTSTORE_URL: 'esdb://localhost:2113?tls=false', ROLES: 'realtime' });
    expect(config.eventStoreUrl).toBe('esdb://localhost:2113?tls=false');
    expect(config.roles).toEqual(['realtime']);
  });
});
