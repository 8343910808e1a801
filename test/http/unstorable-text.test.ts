import { describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { PROBLEM_JSON, uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem();

/** Raw JSON text, so that escapes reach the server exactly as written. */
const NUL = '\\u0000';
const LONE = '\\ud800';

describe('NUL and unpaired surrogates', () => {
  it('are refused with 400 in every part of a request, and change nothing', async () => {
    const alice = await signUp(t.http, uniqueName('nul_a'));
    const bob = await signUp(t.http, uniqueName('nul_b'));
    const sent = await t.http.post<{ conversationId: string; messageId: string }>(
      '/v1/messages',
      { to: bob.username, body: 'hello' },
      { token: alice.token },
    );
    const { conversationId, messageId } = sent.body;
    const json = (raw: string) => ({ raw, headers: { 'content-type': 'application/json' } });
    const attempts: {
      method: string;
      path: string;
      token?: string;
      raw?: string;
      headers?: Record<string, string>;
    }[] = [
      {
        method: 'POST',
        path: '/v1/messages',
        token: alice.token,
        ...json(`{"to":"${bob.username}","body":"a${NUL}b"}`),
      },
      {
        method: 'POST',
        path: '/v1/messages',
        token: alice.token,
        ...json(`{"to":"${bob.username}","body":"a${LONE}"}`),
      },
      {
        method: 'POST',
        path: '/v1/messages',
        token: alice.token,
        ...json(`{"to":"${bob.username}","body":"ok","clientMessageId":"c${NUL}"}`),
      },
      { method: 'POST', path: '/v1/messages', token: alice.token, ...json(`{"to":"bob${NUL}","body":"ok"}`) },
      {
        method: 'POST',
        path: `/v1/conversations/${conversationId}/messages`,
        token: alice.token,
        ...json(`{"body":"x${LONE}y"}`),
      },
      {
        method: 'PATCH',
        path: `/v1/conversations/${conversationId}/messages/${messageId}`,
        token: alice.token,
        ...json(`{"body":"${NUL}"}`),
      },
      {
        method: 'POST',
        path: '/v1/conversations',
        token: alice.token,
        ...json(`{"title":"t${NUL}","memberIds":[]}`),
      },
      { method: 'GET', path: '/v1/users?query=%00', token: alice.token },
      { method: 'POST', path: '/v1/auth/token', ...json(`{"username":"a${NUL}","password":"p"}`) },
      {
        method: 'POST',
        path: '/v1/auth/token',
        raw: 'username=a%00&password=p',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      {
        method: 'POST',
        path: '/v1/auth/register',
        ...json(
          `{"username":"n${Date.now()}","email":"n@example.com","password":"long-enough-pw","displayName":"${LONE}"}`,
        ),
      },
    ];
    for (const attempt of attempts) {
      const response = await t.http.request(attempt.method, attempt.path, attempt);
      expect(response.status, `${attempt.method} ${attempt.path} ${attempt.raw ?? ''}`).toBe(400);
      expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
      expect(response.body).toMatchObject({
        errors: [expect.objectContaining({ message: expect.stringMatching(/NUL/) })],
      });
    }
    const history = await t.http.get<{ items: { body: string }[] }>(
      `/v1/conversations/${conversationId}/messages`,
      {
        token: alice.token,
        headers: { 'x-min-position': '0' },
      },
    );
    expect(history.body.items.map((item) => item.body)).toEqual(['hello']);
  });
});
