import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, signUp, type HttpClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem, PROBLEM_JSON, uniqueName } from '../support/system.js';

/** 6 a minute: bursts of 3, then one every 10 s. */
const env = { SEND_RATE_PER_MINUTE: '6' };
let db: TestDatabase;
let first: RunningSystem;
let second: RunningSystem;
let a: HttpClient;
let b: HttpClient;

beforeAll(async () => {
  db = await createTestDatabase('send_rate');
  first = await startTestSystem(db.url, env);
  second = await startTestSystem(db.url, { ...env, ROLES: 'commands' });
  a = httpClient(`http://127.0.0.1:${first.httpPort}`);
  b = httpClient(`http://127.0.0.1:${second.httpPort}`);
});
afterAll(async () => {
  await second?.stop();
  await first?.stop();
  await db?.drop();
});

describe('messages per user', () => {
  it('are limited, by HTTP route alike, and across processes', async () => {
    const [alice, bob] = await Promise.all([
      signUp(a, uniqueName('rate_a')),
      signUp(a, uniqueName('rate_b')),
    ]);
    const send = (client: HttpClient, body: string) =>
      client.post('/v1/messages', { to: bob.username, body }, { token: alice.token });
    const firstSend = await send(a, 'one');
    expect(firstSend.status).toBe(201);
    const conversationId = firstSend.body.conversationId as string;
    expect((await send(a, 'two')).status).toBe(201);
    // The other process learns of both from the log, then has one left to give.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const third = await b.post(
      `/v1/conversations/${conversationId}/messages`,
      { body: 'three' },
      { token: alice.token },
    );
    expect(third.status).toBe(201);
    const refused = await b.post(
      `/v1/conversations/${conversationId}/messages`,
      { body: 'four' },
      { token: alice.token },
    );
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await send(a, 'five')).status).toBe(429);
    // Someone else is not slowed down.
    expect(
      (await b.post('/v1/messages', { to: alice.username, body: 'hi' }, { token: bob.token })).status,
    ).toBe(201);
  });
});
