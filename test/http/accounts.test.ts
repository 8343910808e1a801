// Long because it drives every account route end to end, with its refusals.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/platform/tokens.js';
import { signUp } from '../support/http-client.js';
import { TEST_JWT_SECRET, PROBLEM_JSON, uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem();
const password = 'correct horse battery';

describe('POST /v1/auth/register', () => {
  it('registers and answers 201 with the id and lower-cased username', async () => {
    const name = uniqueName('Reg');
    const response = await t.http.post('/v1/auth/register', {
      username: name,
      email: `${name}@x.io`,
      password,
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      userId: expect.any(String),
      username: name.toLowerCase(),
      position: expect.any(String),
    });
  });

  it('answers 400 problem+json naming each invalid field, and stores nothing', async () => {
    const head = await t.system.store.headPosition();
    const response = await t.http.post('/v1/auth/register', {
      username: 'a!',
      email: 'nope',
      password: 'short',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({
      type: expect.stringContaining('validation'),
      title: 'Bad Request',
      status: 400,
    });
    const paths = (response.body.errors as { path: string }[]).map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['/body/username', '/body/email', '/body/password']));
    expect(await t.system.store.headPosition()).toBe(head);
  });

  it('answers 400 for unknown fields and for a body that is not JSON', async () => {
    const extra = await t.http.post('/v1/auth/register', {
      username: uniqueName(),
      email: 'e@x.io',
      password,
      isAdmin: true,
    });
    expect(extra.status).toBe(400);
    const garbage = await t.http.request('POST', '/v1/auth/register', {
      headers: { 'content-type': 'application/json' },
      raw: '{"username": ',
    });
    expect(garbage.status).toBe(400);
    expect(garbage.headers.get('content-type')).toMatch(PROBLEM_JSON);
  });

  it('keeps usernames and emails unique case-insensitively (409), leaving no claim behind', async () => {
    const name = uniqueName('dup');
    await t.http.post('/v1/auth/register', { username: name, email: `${name}@x.io`, password });
    const sameName = await t.http.post('/v1/auth/register', {
      username: name.toUpperCase(),
      email: `other-${name}@x.io`,
      password,
    });
    expect(sameName.status).toBe(409);
    expect(sameName.body.type).toMatch(/username-taken$/);

    const other = uniqueName('other');
    const sameEmail = await t.http.post('/v1/auth/register', {
      username: other,
      email: `${name.toUpperCase()}@X.IO`,
      password,
    });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.type).toMatch(/email-taken$/);
    // The username claimed before the email was refused is free again.
    const retry = await t.http.post('/v1/auth/register', {
      username: other,
      email: `${other}@x.io`,
      password,
    });
    expect(retry.status).toBe(201);
  });

  it('lets exactly one of many concurrent sign-ups with the same username win', async () => {
    const name = uniqueName('race');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.http.post('/v1/auth/register', { username: name, email: `${name}-${i}@x.io`, password }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
  });
});

describe('POST /v1/auth/token', () => {
  it('logs in with JSON (username or email) and with an OAuth2 form', async () => {
    const name = uniqueName('login');
    const user = await signUp(t.http, name, password);
    const byEmail = await t.http.post('/v1/auth/token', { username: `${name}@example.com`, password });
    expect(byEmail.status).toBe(200);
    expect(byEmail.headers.get('cache-control')).toBe('no-store');
    expect(byEmail.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 900,
      refresh_token: expect.any(String),
    });
    const form = await t.http.request('POST', '/v1/auth/token', {
      form: { grant_type: 'password', username: name, password },
    });
    expect(form.status).toBe(200);
    const verified = await t.http.get('/v1/auth/verify', { token: form.body.access_token as string });
    expect(verified.body).toMatchObject({ userId: user.userId, username: name, exp: expect.any(Number) });
  });

  it('answers the same 401 for an unknown user and a wrong password', async () => {
    const name = uniqueName('wrong');
    await signUp(t.http, name, password);
    const wrong = await t.http.post('/v1/auth/token', { username: name, password: 'not the password' });
    const unknown = await t.http.post('/v1/auth/token', { username: uniqueName('ghost'), password });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.headers.get('content-type')).toMatch(PROBLEM_JSON);
  });
});

describe('GET /openapi.json', () => {
  it('documents the account endpoints', async () => {
    const document = await t.http.get<{ paths: Record<string, unknown> }>('/openapi.json');
    expect(document.status).toBe(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining(['/v1/auth/register', '/v1/auth/verify-email', '/v1/auth/resend-verification']),
    );
  });
});

describe('event metadata', () => {
  it('records the request as correlation id and the acting user on account events', async () => {
    const user = await signUp(t.http, uniqueName('meta'), password);
    const refreshed = await t.http.post('/v1/auth/refresh', { refresh_token: user.refreshToken });
    expect(refreshed.status).toBe(200);
    const events = (await t.system.store.readAll()).filter(
      (event) => event.streamName === `user-${user.userId}` || event.streamName.startsWith('session-'),
    );
    const mine = events.filter((event) => (event.data as { userId?: string }).userId === user.userId);
    expect(mine.map((event) => event.type)).toEqual(
      expect.arrayContaining([
        'UserRegistered',
        'EmailVerificationIssued',
        'SessionStarted',
        'SessionRefreshed',
      ]),
    );
    for (const event of mine) {
      expect(event.metadata).toMatchObject({ correlationId: expect.any(String), userId: user.userId });
    }
  });
});

describe('refresh and logout', () => {
  it('rotates the refresh token, refuses a used one and revokes the family, and logout revokes', async () => {
    const user = await signUp(t.http, uniqueName('refresh'), password);
    const first = await t.http.post('/v1/auth/refresh', { refresh_token: user.refreshToken });
    expect(first.status).toBe(200);
    const rotated = first.body.refresh_token as string;
    expect(rotated).not.toBe(user.refreshToken);
    // A client retrying the refresh it lost the answer to gets the same new refresh token.
    const retried = await t.http.post('/v1/auth/refresh', { refresh_token: user.refreshToken });
    expect(retried.status).toBe(200);
    expect(retried.body.refresh_token).toBe(rotated);
    const second = await t.http.post('/v1/auth/refresh', { refresh_token: rotated });
    expect(second.status).toBe(200);
    // Re-using a token two rotations old is reuse: refused, and the session is revoked, so the
    // newest token dies too.
    expect((await t.http.post('/v1/auth/refresh', { refresh_token: user.refreshToken })).status).toBe(401);
    expect(
      (await t.http.post('/v1/auth/refresh', { refresh_token: second.body.refresh_token as string })).status,
    ).toBe(401);

    const again = await t.http.post('/v1/auth/token', { username: user.username, password });
    const token = again.body.refresh_token as string;
    expect((await t.http.post('/v1/auth/logout', { refresh_token: token })).status).toBe(204);
    expect((await t.http.post('/v1/auth/refresh', { refresh_token: token })).status).toBe(401);
    expect((await t.http.post('/v1/auth/refresh', { refresh_token: 'garbage' })).status).toBe(401);
  });
});

describe('GET /v1/auth/verify and /v1/me', () => {
  it('refuses a missing, malformed or forged token with 401 problem+json', async () => {
    for (const [path, token] of ['/v1/me', '/v1/auth/verify'].flatMap((p) =>
      [undefined, 'not-a-jwt', 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl'].map((tk) => [p, tk] as const),
    )) {
      const response = await t.http.get(path, token ? { token } : {});
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('refuses a validly signed token of a user that does not exist with 401', async () => {
    const tokens = createTokenService({ secret: TEST_JWT_SECRET, accessTokenTtlSeconds: 900 });
    const { token } = await tokens.issueAccessToken({ userId: randomUUID(), username: 'nobody' });
    for (const path of ['/v1/me', '/v1/contacts', '/v1/auth/verify']) {
      const response = await t.http.get(path, { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
      expect(response.body.detail).toMatch(/no user/);
    }
    // The same token for a user that exists is accepted, even before the read model has it.
    const user = await signUp(t.http, uniqueName('exists'), password);
    const own = await tokens.issueAccessToken({ userId: user.userId, username: user.username });
    expect((await t.http.get('/v1/contacts', { token: own.token })).status).toBe(200);
  });

  it('answers /v1/me from the read model once it reached the registration', async () => {
    const name = uniqueName('me');
    const registered = await t.http.post('/v1/auth/register', {
      username: name,
      email: `${name}@x.io`,
      password,
      displayName: 'Me Myself',
    });
    const login = await t.http.post('/v1/auth/token', { username: name, password });
    const me = await t.http.get('/v1/me', {
      token: login.body.access_token as string,
      headers: { 'x-min-position': registered.body.position as string },
    });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      userId: registered.body.userId,
      username: name,
      email: `${name}@x.io`,
      displayName: 'Me Myself',
      emailVerified: false,
    });
  });

  it('refuses a malformed X-Min-Position, or one beyond the head of the log, with 400', async () => {
    const user = await signUp(t.http, uniqueName('rw'), password);
    const bad = await t.http.get('/v1/me', { token: user.token, headers: { 'x-min-position': 'soon' } });
    expect(bad.status).toBe(400);
    const far = await t.http.get('/v1/me', {
      token: user.token,
      headers: { 'x-min-position': '999999999999' },
    });
    expect(far.status).toBe(400);
    expect(far.body.type).toMatch(/invalid-min-position$/);
  });
});

describe('GET /v1/users', () => {
  it('finds users by username prefix, not the caller, and treats LIKE wildcards literally', async () => {
    const prefix = uniqueName('find');
    const me = await signUp(t.http, `${prefix}_a`, password);
    const other = await signUp(t.http, `${prefix}_b`, password);
    const found = await t.http.get(`/v1/users?query=${prefix}&limit=10`, {
      token: me.token,
      headers: { 'x-min-position': (await t.system.store.headPosition()).toString() },
    });
    expect(found.body.items).toEqual([
      { userId: other.userId, username: other.username, displayName: other.username },
    ]);
    const wildcard = await t.http.get('/v1/users?query=%25', { token: me.token });
    expect(wildcard.body.items).toEqual([]);
  });
});

describe('two refreshes at once with one token', () => {
  it('both succeed with the same new refresh token: the session stays alive', async () => {
    const user = await signUp(t.http, uniqueName('twice'), password);
    const [a, b] = await Promise.all(
      [1, 2].map(() => t.http.post('/v1/auth/refresh', { refresh_token: user.refreshToken })),
    );
    expect([a!.status, b!.status]).toEqual([200, 200]);
    expect(a!.body.refresh_token).toBe(b!.body.refresh_token);
    expect(
      (await t.http.post('/v1/auth/refresh', { refresh_token: a!.body.refresh_token as string })).status,
    ).toBe(200);
  });
});
