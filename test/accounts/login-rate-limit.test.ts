import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, signUp, type HttpClient, type HttpResponse } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem, PROBLEM_JSON, uniqueName } from '../support/system.js';

const password = 'correct horse battery';
const MAX_FAILURES = 3;
const IP_MAX = 4;
const IP_WINDOW_SECONDS = 4;

let db: TestDatabase;
/** Two API processes on one database: the counters must be shared between them. */
let first: RunningSystem;
let second: RunningSystem;
let http: HttpClient;
let otherHttp: HttpClient;

let ipDb: TestDatabase;
let ipLimited: RunningSystem;
let ipHttp: HttpClient;

beforeAll(async () => {
  // TRUST_PROXY, so that tests can log in from other addresses with X-Forwarded-For.
  const env = {
    LOGIN_MAX_FAILURES: String(MAX_FAILURES),
    LOGIN_IP_MAX_ATTEMPTS: '1000',
    TRUST_PROXY: 'true',
  };
  [db, ipDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  first = await startTestSystem(db.url, env);
  second = await startTestSystem(db.url, { ...env, ROLES: 'commands' });
  ipLimited = await startTestSystem(ipDb.url, {
    LOGIN_IP_MAX_ATTEMPTS: String(IP_MAX),
    LOGIN_IP_WINDOW_SECONDS: String(IP_WINDOW_SECONDS),
  });
  http = httpClient(`http://127.0.0.1:${first.httpPort}`);
  otherHttp = httpClient(`http://127.0.0.1:${second.httpPort}`);
  ipHttp = httpClient(`http://127.0.0.1:${ipLimited.httpPort}`);
});
afterAll(async () => {
  for (const system of [second, first, ipLimited]) await system?.stop();
  await db?.drop();
  await ipDb?.drop();
});

const login = (client: HttpClient, username: string, pass = 'not the password', from?: string) =>
  client.post(
    '/v1/auth/token',
    { username, password: pass },
    from ? { headers: { 'x-forwarded-for': from } } : {},
  );

function expectTooMany(response: HttpResponse, windowSeconds: number): number {
  expect(response.status).toBe(429);
  expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
  expect(response.body).toMatchObject({ type: expect.stringMatching(/too-many-requests$/), status: 429 });
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  return retryAfter;
}

describe('login rate limiting per username', () => {
  it('answers 429 with Retry-After after too many failures, even for the right password, across processes', async () => {
    const user = await signUp(http, uniqueName('locked'), password);
    // Failures on either process count for both.
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect((await login(i % 2 === 0 ? http : otherHttp, user.username)).status).toBe(401);
    }
    expectTooMany(await login(otherHttp, user.username, password), 900);
    expectTooMany(await login(http, user.username.toUpperCase(), password), 900);
  });

  it('answers the same for a user that does not exist', async () => {
    const user = await signUp(http, uniqueName('real'), password);
    const ghost = uniqueName('ghost');
    const answers: { real: HttpResponse[]; ghost: HttpResponse[] } = { real: [], ghost: [] };
    for (let i = 0; i <= MAX_FAILURES; i++) {
      answers.real.push(await login(http, user.username));
      answers.ghost.push(await login(http, ghost));
    }
    expect(answers.real.map((r) => r.status)).toEqual([...Array(MAX_FAILURES).fill(401), 429]);
    expect(answers.ghost.map((r) => r.status)).toEqual(answers.real.map((r) => r.status));
    for (let i = 0; i <= MAX_FAILURES; i++) expect(answers.ghost[i]!.body).toEqual(answers.real[i]!.body);
    expectTooMany(answers.ghost.at(-1)!, 900);
  });

  it('forgets the failures after a successful login', async () => {
    const user = await signUp(http, uniqueName('reset'), password);
    for (let i = 0; i < MAX_FAILURES - 1; i++) expect((await login(http, user.username)).status).toBe(401);
    expect((await login(http, user.username, password)).status).toBe(200);
    for (let i = 0; i < MAX_FAILURES; i++) expect((await login(http, user.username)).status).toBe(401);
    expectTooMany(await login(http, user.username), 900);
  });

  it('does not let anyone elsewhere lock a user out of their usual address; username and email are one account', async () => {
    const victim = await signUp(http, uniqueName('usual'), password);
    const attacker = '203.0.113.7';
    for (let i = 0; i < MAX_FAILURES; i++) {
      const name = i % 2 === 0 ? victim.username : `${victim.username}@example.com`;
      expect((await login(http, name, 'guess', attacker)).status).toBe(401);
    }
    expectTooMany(await login(http, victim.username, 'guess', attacker), 900);
    // The guesses from unusual addresses are spent: a new place must wait too.
    expectTooMany(await login(http, victim.username, password, '198.51.100.2'), 900);
    // From where the user logged in before, they keep logging in.
    expect((await login(http, victim.username, password)).status).toBe(200);
  });

  it('does not let one user lock out another', async () => {
    const victim = await signUp(http, uniqueName('victim'), password);
    const other = uniqueName('other');
    for (let i = 0; i <= MAX_FAILURES; i++) await login(http, other);
    expect((await login(http, victim.username, password)).status).toBe(200);
  });
});

describe('login rate limiting per client IP', () => {
  it('refuses spraying from one address until the window ends, but not a user at their usual address', async () => {
    const regular = await signUp(ipHttp, uniqueName('ip'), password);
    const newcomer = uniqueName('new');
    expect(
      (
        await ipHttp.post('/v1/auth/register', {
          username: newcomer,
          email: `${newcomer}@example.com`,
          password,
        })
      ).status,
    ).toBe(201);
    // Successful logins do not count against the address.
    for (let i = 0; i < IP_MAX; i++)
      expect((await login(ipHttp, regular.username, password)).status).toBe(200);
    for (let i = 0; i < IP_MAX; i++) expect((await login(ipHttp, uniqueName('spray'))).status).toBe(401);
    const retryAfter = expectTooMany(await login(ipHttp, newcomer, password), IP_WINDOW_SECONDS);
    expect((await login(ipHttp, regular.username, password)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect((await login(ipHttp, newcomer, password)).status).toBe(200);
  });
});
