import { describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem();

describe('PATCH /v1/me and messagePolicy "contacts"', () => {
  it('lets only contacts start a conversation; conversations already under way go on', async () => {
    const [bob, alice, carol] = await Promise.all(
      ['mp_bob', 'mp_alice', 'mp_carol'].map((n) => signUp(t.http, uniqueName(n))),
    );
    // Carol talks to Bob before he closes his door.
    expect(
      (await t.http.post('/v1/messages', { to: bob!.username, body: 'early' }, { token: carol!.token }))
        .status,
    ).toBe(201);

    const changed = await t.http.request('PATCH', '/v1/me', {
      token: bob!.token,
      body: { messagePolicy: 'contacts', displayName: 'Bobby' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      userId: bob!.userId,
      displayName: 'Bobby',
      messagePolicy: 'contacts',
    });
    const position = changed.headers.get('x-position')!;
    const me = await t.http.get('/v1/me', { token: bob!.token, headers: { 'x-min-position': position } });
    expect(me.body).toMatchObject({ displayName: 'Bobby' });

    const stranger = await t.http.post(
      '/v1/messages',
      { to: bob!.username, body: 'hi' },
      { token: alice!.token },
    );
    expect(stranger.status).toBe(403);
    expect(stranger.body.type).toMatch(/not-accepting-messages$/);
    expect(
      (await t.http.post('/v1/messages', { to: bob!.username, body: 'still here' }, { token: carol!.token }))
        .status,
    ).toBe(201);

    expect((await t.http.post('/v1/contacts', { userId: alice!.userId }, { token: bob!.token })).status).toBe(
      201,
    );
    expect(
      (await t.http.post('/v1/messages', { to: bob!.username, body: 'hi' }, { token: alice!.token })).status,
    ).toBe(201);
  });

  it('refuses what is not a profile change with 400 and changes nothing for an empty one', async () => {
    const user = await signUp(t.http, uniqueName('mp_bad'));
    for (const body of [
      { messagePolicy: 'nobody' },
      { displayName: '' },
      { displayName: 'x'.repeat(101) },
      { email: 'a@b.c' },
    ]) {
      expect((await t.http.request('PATCH', '/v1/me', { token: user.token, body })).status).toBe(400);
    }
    const blank = await t.http.request('PATCH', '/v1/me', {
      token: user.token,
      body: { displayName: '   ' },
    });
    expect(blank.status).toBe(400);
    const unchanged = await t.http.request('PATCH', '/v1/me', { token: user.token, body: {} });
    expect(unchanged.status).toBe(200);
    expect(unchanged.body).toMatchObject({ messagePolicy: 'everyone', username: user.username });
    expect((await t.http.request('PATCH', '/v1/me', { body: {} })).status).toBe(401);
  });
});
