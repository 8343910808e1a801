import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, signUp, type HttpClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem, PROBLEM_JSON } from '../support/system.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

/** The read models (and rate limits) on a database behind a proxy; the log on another. */
let readModels: TestDatabase;
let log: TestDatabase;
let proxy: TcpProxy;
let system: RunningSystem;
let http: HttpClient;

beforeAll(async () => {
  [readModels, log] = await Promise.all([createTestDatabase('outage_rm'), createTestDatabase('outage_log')]);
  const direct = new URL(readModels.url);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const viaProxy = new URL(readModels.url);
  viaProxy.port = String(proxy.port);
  system = await startTestSystem(viaProxy.toString(), {
    EVENTSTORE_URL: log.url,
    ROLES: 'commands,read-api',
  });
  http = httpClient(`http://127.0.0.1:${system.httpPort}`);
});
afterAll(async () => {
  await system?.stop();
  await proxy?.close();
  await readModels?.drop();
  await log?.drop();
});

describe('a database that cannot be reached', () => {
  it('gets 503 with Retry-After, never 500, and the service recovers with it', async () => {
    const user = await signUp(http, `outage_${process.pid}`);
    proxy.cut();
    const attempts = [
      () => http.post('/v1/auth/token', { username: user.username, password: 'correct horse battery' }),
      () => http.post('/v1/auth/resend-verification', { email: `${user.username}@example.com` }),
      () => http.get('/v1/contacts', { token: user.token }),
      () => http.get('/v1/conversations', { token: user.token }),
      () => http.get('/v1/users?query=out', { token: user.token }),
    ];
    for (const attempt of attempts) {
      const response = await attempt();
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
      expect(JSON.stringify(response.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    }
    const ready = await http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ checks: { database: { ok: false, detail: 'unreachable' } } });
    proxy.restore();
    let recovered = 0;
    for (let i = 0; i < 50 && recovered !== 200; i++) {
      recovered = (await http.get('/v1/contacts', { token: user.token })).status;
      if (recovered !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(recovered).toBe(200);
  });
});
