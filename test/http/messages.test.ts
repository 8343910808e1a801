import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { PROBLEM_JSON, uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem();

describe('POST /v1/messages', () => {
  it('sends to a username or a user id, both into the same direct conversation', async () => {
    const a = await signUp(t.http, uniqueName('a'));
    const b = await signUp(t.http, uniqueName('b'));
    const byName = await t.http.post('/v1/messages', { to: b.username, body: 'one' }, { token: a.token });
    const byId = await t.http.post('/v1/messages', { to: a.userId, body: 'two' }, { token: b.token });
    expect(byName.status).toBe(201);
    expect(byId.status).toBe(201);
    expect(byId.body.conversationId).toBe(byName.body.conversationId);
    expect(BigInt(byId.body.position as string)).toBeGreaterThan(BigInt(byName.body.position as string));
  });

  it('returns the first result for a re-sent clientMessageId and appends nothing', async () => {
    const a = await signUp(t.http, uniqueName('a'));
    const b = await signUp(t.http, uniqueName('b'));
    const clientMessageId = randomUUID();
    const first = await t.http.post(
      '/v1/messages',
      { to: b.username, body: 'once', clientMessageId },
      { token: a.token },
    );
    const head = await t.system.store.headPosition();
    const again = await t.http.post(
      '/v1/messages',
      { to: b.username, body: 'once', clientMessageId },
      { token: a.token },
    );
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await t.system.store.headPosition()).toBe(head);
  });

  it('refuses empty bodies, unknown users, yourself and anonymous callers, writing nothing', async () => {
    const a = await signUp(t.http, uniqueName('a'));
    const b = await signUp(t.http, uniqueName('b'));
    const head = await t.system.store.headPosition();
    const blank = await t.http.post('/v1/messages', { to: b.username, body: '   ' }, { token: a.token });
    expect(blank.status).toBe(400);
    expect(blank.headers.get('content-type')).toMatch(PROBLEM_JSON);
    const tooLong = await t.http.post(
      '/v1/messages',
      { to: b.username, body: 'x'.repeat(4001) },
      { token: a.token },
    );
    expect(tooLong.status).toBe(400);
    const nobody = await t.http.post(
      '/v1/messages',
      { to: uniqueName('nobody'), body: 'hi' },
      { token: a.token },
    );
    expect(nobody.status).toBe(404);
    const self = await t.http.post('/v1/messages', { to: a.username, body: 'hi' }, { token: a.token });
    expect(self.status).toBe(400);
    const anonymous = await t.http.post('/v1/messages', { to: b.username, body: 'hi' });
    expect(anonymous.status).toBe(401);
    expect(await t.system.store.headPosition()).toBe(head);
  });
});

describe('GET /v1/conversations/{id}/messages', () => {
  it('pages newest first with a cursor, for members only', async () => {
    const a = await signUp(t.http, uniqueName('a'));
    const b = await signUp(t.http, uniqueName('b'));
    const outsider = await signUp(t.http, uniqueName('out'));
    const sent = [];
    for (let i = 0; i < 5; i++) {
      sent.push(
        (await t.http.post('/v1/messages', { to: b.username, body: `m${i}` }, { token: a.token })).body,
      );
    }
    const conversationId = sent[0]!.conversationId as string;
    const minPosition = { 'x-min-position': sent.at(-1)!.position as string };
    const page1 = await t.http.get(`/v1/conversations/${conversationId}/messages?limit=2`, {
      token: b.token,
      headers: minPosition,
    });
    expect((page1.body.items as { body: string }[]).map((m) => m.body)).toEqual(['m4', 'm3']);
    const page2 = await t.http.get(
      `/v1/conversations/${conversationId}/messages?limit=2&before=${page1.body.nextCursor as string}`,
      { token: b.token },
    );
    expect((page2.body.items as { body: string }[]).map((m) => m.body)).toEqual(['m2', 'm1']);
    const page3 = await t.http.get(
      `/v1/conversations/${conversationId}/messages?limit=2&before=${page2.body.nextCursor as string}`,
      { token: b.token },
    );
    expect((page3.body.items as { body: string }[]).map((m) => m.body)).toEqual(['m0']);
    expect(page3.body.nextCursor).toBeNull();

    const forbidden = await t.http.get(`/v1/conversations/${conversationId}/messages`, {
      token: outsider.token,
      headers: minPosition,
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toMatch(PROBLEM_JSON);
    const unknown = await t.http.get(`/v1/conversations/${randomUUID()}/messages`, { token: a.token });
    expect(unknown.status).toBe(404);
    const tooMany = await t.http.get(`/v1/conversations/${conversationId}/messages?limit=201`, {
      token: a.token,
    });
    expect(tooMany.status).toBe(400);
    const badCursor = await t.http.get(
      `/v1/conversations/${conversationId}/messages?before=99999999999999999999`,
      {
        token: a.token,
      },
    );
    expect(badCursor.status).toBe(400);
  });
});

describe('history pagination under concurrent sends', () => {
  it('pages through older messages with no gap and no duplicate while new ones arrive', async () => {
    const a = await signUp(t.http, uniqueName('a'));
    const b = await signUp(t.http, uniqueName('b'));
    const send = (body: string) => t.http.post('/v1/messages', { to: b.username, body }, { token: a.token });
    const first: Record<string, unknown>[] = [];
    for (let i = 0; i < 12; i++) first.push((await send(`old ${i}`)).body);
    const conversationId = first[0]!.conversationId as string;
    const path = `/v1/conversations/${conversationId}/messages?limit=4`;
    const seen: string[] = [];
    let page = await t.http.get(path, {
      token: b.token,
      headers: { 'x-min-position': first.at(-1)!.position as string },
    });
    let round = 0;
    for (;;) {
      seen.push(...(page.body.items as { body: string }[]).map((m) => m.body));
      // New messages land between every page request.
      await Promise.all([send(`new ${round}a`), send(`new ${round}b`)]);
      round++;
      if (page.body.nextCursor === null) break;
      page = await t.http.get(`${path}&before=${page.body.nextCursor as string}`, { token: b.token });
    }
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `old ${11 - i}`));
  });
});

describe('GET /v1/conversations', () => {
  it('lists conversations newest activity first with unread counts and a cursor', async () => {
    const me = await signUp(t.http, uniqueName('me'));
    const x = await signUp(t.http, uniqueName('x'));
    const y = await signUp(t.http, uniqueName('y'));
    await t.http.post('/v1/messages', { to: me.username, body: 'from x' }, { token: x.token });
    await t.http.post('/v1/messages', { to: me.username, body: 'from y' }, { token: y.token });
    const last = await t.http.post('/v1/messages', { to: me.username, body: 'x again' }, { token: x.token });
    const page1 = await t.http.get('/v1/conversations?limit=1', {
      token: me.token,
      headers: { 'x-min-position': last.body.position as string },
    });
    expect(page1.body.items).toEqual([
      expect.objectContaining({
        kind: 'direct',
        title: null,
        unreadCount: 2,
        lastMessage: expect.objectContaining({ body: 'x again', senderId: x.userId }),
        members: expect.arrayContaining([expect.objectContaining({ userId: x.userId })]),
      }),
    ]);
    const page2 = await t.http.get(`/v1/conversations?limit=1&cursor=${page1.body.nextCursor as string}`, {
      token: me.token,
    });
    expect(page2.body.items).toEqual([expect.objectContaining({ unreadCount: 1 })]);
    expect(page2.body.nextCursor).toBeNull();
    // The sender has no unread messages of their own.
    const xs = await t.http.get('/v1/conversations', { token: x.token });
    expect(xs.body.items).toEqual([expect.objectContaining({ unreadCount: 0 })]);
  });
});
