import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { PROBLEM_JSON, uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem();

describe('contacts', () => {
  it('adds by username (201) or id (200 when already a contact), lists and removes', async () => {
    const me = await signUp(t.http, uniqueName('owner'));
    const friend = await signUp(t.http, uniqueName('friend'));
    const first = await t.http.post(
      '/v1/contacts',
      { username: friend.username.toUpperCase() },
      { token: me.token },
    );
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      userId: friend.userId,
      username: friend.username,
      position: expect.any(String),
    });
    const again = await t.http.post('/v1/contacts', { userId: friend.userId }, { token: me.token });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ userId: friend.userId, username: friend.username });

    const list = await t.http.get('/v1/contacts', {
      token: me.token,
      headers: { 'x-min-position': first.body.position as string },
    });
    expect(list.body.items).toEqual([
      {
        userId: friend.userId,
        username: friend.username,
        displayName: friend.username,
        addedAt: expect.any(String),
      },
    ]);
    // Contacts are one-way: the friend's list is empty.
    const theirs = await t.http.get('/v1/contacts', { token: friend.token });
    expect(theirs.body.items).toEqual([]);

    const removed = await t.http.delete(`/v1/contacts/${friend.userId}`, { token: me.token });
    expect(removed.status).toBe(204);
    const after = await t.http.get('/v1/contacts', {
      token: me.token,
      headers: { 'x-min-position': removed.headers.get('x-position')! },
    });
    expect(after.body.items).toEqual([]);
    const missing = await t.http.delete(`/v1/contacts/${friend.userId}`, { token: me.token });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(PROBLEM_JSON);
  });

  it('answers 404 for an unknown user, 400 for yourself or a bad body, 401 without a token', async () => {
    const me = await signUp(t.http, uniqueName('solo'));
    const unknownName = await t.http.post(
      '/v1/contacts',
      { username: uniqueName('nobody') },
      { token: me.token },
    );
    expect(unknownName.status).toBe(404);
    expect(unknownName.body.type).toMatch(/user-not-found$/);
    const unknownId = await t.http.post('/v1/contacts', { userId: randomUUID() }, { token: me.token });
    expect(unknownId.status).toBe(404);
    const self = await t.http.post('/v1/contacts', { userId: me.userId }, { token: me.token });
    expect(self.status).toBe(400);
    expect(self.body.type).toMatch(/cannot-add-self$/);
    const both = await t.http.post('/v1/contacts', { userId: me.userId, username: 'x' }, { token: me.token });
    expect(both.status).toBe(400);
    const notUuid = await t.http.delete('/v1/contacts/not-a-uuid', { token: me.token });
    expect(notUuid.status).toBe(400);
    expect((await t.http.post('/v1/contacts', { username: 'abc' })).status).toBe(401);
    expect((await t.http.get('/v1/contacts')).status).toBe(401);
  });
});
