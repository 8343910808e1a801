import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, signUp, type HttpClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem } from '../support/system.js';
import { PROBLEM_JSON, uniqueName } from '../support/system.js';
import { startSmtpInbox, verificationCodeIn, type SmtpInbox } from './support/smtp-inbox.js';

interface Running {
  db: TestDatabase;
  system: RunningSystem;
  http: HttpClient;
}

let inbox: SmtpInbox;
let required: Running;
let optional: Running;

async function start(env: Record<string, string>): Promise<Running> {
  const db = await createTestDatabase();
  const system = await startTestSystem(db.url, env);
  return { db, system, http: httpClient(`http://127.0.0.1:${system.httpPort}`) };
}

beforeAll(async () => {
  inbox = await startSmtpInbox();
  [required, optional] = await Promise.all([
    start({ SMTP_URL: inbox.url, REQUIRE_EMAIL_VERIFICATION: 'true' }),
    start({ SMTP_URL: inbox.url }),
  ]);
});
afterAll(async () => {
  for (const running of [required, optional]) {
    await running?.system.stop();
    await running?.db.drop();
  }
  await inbox?.close();
});

describe('REQUIRE_EMAIL_VERIFICATION=true', () => {
  it('lets an unverified user log in, refresh, read /v1/me and verify; every other command is 403', async () => {
    const { http } = required;
    const alice = await signUp(http, uniqueName('unverified'));
    const bob = await signUp(http, uniqueName('peer'));
    const auth = { token: alice.token, headers: { 'x-min-position': '0' } };

    const me = await http.get('/v1/me', { token: alice.token });
    expect([200, 404]).toContain(me.status);
    const refreshed = await http.post('/v1/auth/refresh', { refresh_token: alice.refreshToken });
    expect(refreshed.status).toBe(200);

    for (const [method, path, body] of [
      ['POST', '/v1/messages', { to: bob.username, body: 'hello' }],
      ['POST', '/v1/contacts', { username: bob.username }],
      ['PATCH', '/v1/me', { displayName: 'Alice' }],
      ['GET', '/v1/conversations', undefined],
    ] as const) {
      const answer = await http.request(method, path, { ...auth, ...(body ? { body } : {}) });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.headers.get('content-type')).toMatch(PROBLEM_JSON);
      expect(answer.body.type).toMatch(/email-not-verified$/);
    }

    const code = verificationCodeIn(await inbox.next(`${alice.username}@example.com`));
    const verified = await http.post('/v1/auth/verify-email', {
      email: `${alice.username}@example.com`,
      code,
    });
    expect(verified.status).toBe(200);
    const bobCode = verificationCodeIn(await inbox.next(`${bob.username}@example.com`));
    expect(
      (await http.post('/v1/auth/verify-email', { email: `${bob.username}@example.com`, code: bobCode }))
        .status,
    ).toBe(200);

    const sent = await http.post('/v1/messages', { to: bob.username, body: 'hello' }, { token: alice.token });
    expect(sent.status).toBe(201);
    const logout = await http.post('/v1/auth/logout', { refresh_token: refreshed.body.refresh_token });
    expect(logout.status).toBe(204);
  });
});

describe('REQUIRE_EMAIL_VERIFICATION unset in test', () => {
  it('lets an unverified user send at once', async () => {
    const { http } = optional;
    const alice = await signUp(http, uniqueName('free'));
    const bob = await signUp(http, uniqueName('peer'));
    const sent = await http.post('/v1/messages', { to: bob.username, body: 'hello' }, { token: alice.token });
    expect(sent.status).toBe(201);
  });
});
