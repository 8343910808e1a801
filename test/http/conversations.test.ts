// Long because it drives every conversation route end to end, with its refusals.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signUp, type HttpClient } from '../support/http-client.js';
import { PROBLEM_JSON, uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem();

type User = Awaited<ReturnType<typeof signUp>>;
const users = (n: number) => Promise.all(Array.from({ length: n }, () => signUp(t.http, uniqueName('u'))));
const at = (position: unknown) => ({ 'x-min-position': String(position) });

async function createGroup(http: HttpClient, creator: User, members: User[], title = 'Team') {
  const response = await http.post(
    '/v1/conversations',
    { title, memberIds: members.map((m) => m.userId) },
    { token: creator.token },
  );
  expect(response.status).toBe(201);
  return response.body as { conversationId: string; position: string };
}

describe('groups', () => {
  it('creates a group with its members, listed with kind, title and members', async () => {
    const [a, b, c] = await users(3);
    const group = await createGroup(t.http, a!, [b!, c!]);
    const list = await t.http.get('/v1/conversations', { token: c!.token, headers: at(group.position) });
    expect(list.body.items).toEqual([
      expect.objectContaining({
        conversationId: group.conversationId,
        kind: 'group',
        title: 'Team',
        lastMessage: null,
        unreadCount: 0,
        members: expect.arrayContaining([a, b, c].map((u) => expect.objectContaining({ userId: u!.userId }))),
      }),
    ]);
  });

  it('refuses a blank title (400), an unknown member (404), and anonymous callers (401)', async () => {
    const [a] = await users(1);
    const blank = await t.http.post('/v1/conversations', { title: '  ', memberIds: [] }, { token: a!.token });
    expect(blank.status).toBe(400);
    expect(blank.headers.get('content-type')).toMatch(PROBLEM_JSON);
    const unknown = await t.http.post(
      '/v1/conversations',
      { title: 'x', memberIds: [randomUUID()] },
      { token: a!.token },
    );
    expect(unknown.status).toBe(404);
    const notUuid = await t.http.post(
      '/v1/conversations',
      { title: 'x', memberIds: ['bob'] },
      { token: a!.token },
    );
    expect(notUuid.status).toBe(400);
    expect((await t.http.post('/v1/conversations', { title: 'x', memberIds: [] })).status).toBe(401);
  });

  it('adds members (members only), removes: anyone may leave, only the creator removes others', async () => {
    const [a, b, c, d] = await users(4);
    const group = await createGroup(t.http, a!, [b!]);
    const path = `/v1/conversations/${group.conversationId}/members`;
    expect((await t.http.post(path, { userId: c!.userId }, { token: d!.token })).status).toBe(403);
    expect((await t.http.post(path, { userId: c!.userId }, { token: b!.token })).status).toBe(204);
    expect((await t.http.post(path, { userId: c!.userId }, { token: b!.token })).status).toBe(204);
    expect((await t.http.post(path, { userId: randomUUID() }, { token: b!.token })).status).toBe(404);
    expect(
      (
        await t.http.post(
          `/v1/conversations/${randomUUID()}/members`,
          { userId: c!.userId },
          { token: b!.token },
        )
      ).status,
    ).toBe(404);

    const byOther = await t.http.delete(`${path}/${c!.userId}`, { token: b!.token });
    expect(byOther.status).toBe(403);
    expect(byOther.body.type).toMatch(/not-the-creator$/);
    expect((await t.http.delete(`${path}/${c!.userId}`, { token: a!.token })).status).toBe(204);
    const left = await t.http.delete(`${path}/${b!.userId}`, { token: b!.token });
    expect(left.status).toBe(204);
    const afterLeave = await t.http.get(`/v1/conversations/${group.conversationId}/messages`, {
      token: b!.token,
      headers: { 'x-min-position': left.headers.get('x-position')! },
    });
    expect(afterLeave.status).toBe(403);
  });

  it('adding members to a direct conversation is refused with 400', async () => {
    const [a, b, c] = await users(3);
    const sent = await t.http.post('/v1/messages', { to: b!.username, body: 'hi' }, { token: a!.token });
    const add = await t.http.post(
      `/v1/conversations/${sent.body.conversationId as string}/members`,
      { userId: c!.userId },
      { token: a!.token },
    );
    expect(add.status).toBe(400);
    expect(add.body.type).toMatch(/not-a-group$/);
  });
});

describe('messages in a conversation', () => {
  it('sends by conversation id, idempotently with clientMessageId, to members only', async () => {
    const [a, b, outsider] = await users(3);
    const group = await createGroup(t.http, a!, [b!]);
    const path = `/v1/conversations/${group.conversationId}/messages`;
    const first = await t.http.post(path, { body: 'hi all', clientMessageId: 'c-1' }, { token: b!.token });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      messageId: expect.any(String),
      conversationId: group.conversationId,
      position: expect.any(String),
    });
    const again = await t.http.post(path, { body: 'hi all', clientMessageId: 'c-1' }, { token: b!.token });
    expect(again.body).toEqual(first.body);
    expect((await t.http.post(path, { body: 'x' }, { token: outsider!.token })).status).toBe(403);
    expect(
      (await t.http.post(`/v1/conversations/${randomUUID()}/messages`, { body: 'x' }, { token: a!.token }))
        .status,
    ).toBe(404);
    const history = await t.http.get(path, { token: a!.token, headers: at(first.body.position) });
    expect(history.body.items).toHaveLength(1);
  });

  it('edits and deletes by the sender only; a deleted message keeps no body anywhere', async () => {
    const [a, b] = await users(2);
    const group = await createGroup(t.http, a!, [b!]);
    const path = `/v1/conversations/${group.conversationId}/messages`;
    const sent = await t.http.post(path, { body: 'original' }, { token: a!.token });
    const messagePath = `${path}/${sent.body.messageId as string}`;

    expect(
      (await t.http.request('PATCH', messagePath, { body: { body: 'hijack' }, token: b!.token })).status,
    ).toBe(403);
    const edited = await t.http.request('PATCH', messagePath, {
      body: { body: ' edited ' },
      token: a!.token,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toEqual({ position: expect.any(String) });
    const afterEdit = await t.http.get(path, { token: b!.token, headers: at(edited.body.position) });
    expect(afterEdit.body.items).toEqual([
      expect.objectContaining({ body: 'edited', editedAt: expect.any(String), deleted: false }),
    ]);

    expect((await t.http.delete(messagePath, { token: b!.token })).status).toBe(403);
    const deleted = await t.http.delete(messagePath, { token: a!.token });
    expect(deleted.status).toBe(200);
    const afterDelete = await t.http.get(path, { token: b!.token, headers: at(deleted.body.position) });
    expect(afterDelete.body.items).toEqual([expect.objectContaining({ body: null, deleted: true })]);
    const list = await t.http.get('/v1/conversations', { token: b!.token });
    expect(list.body.items).toEqual([
      expect.objectContaining({ lastMessage: expect.objectContaining({ body: null, deleted: true }) }),
    ]);
    const stored = await t.system.pool.query('SELECT count(*)::int AS n FROM messages WHERE body = $1', [
      'edited',
    ]);
    expect(stored.rows[0].n).toBe(0);

    expect((await t.http.delete(messagePath, { token: a!.token })).status).toBe(404);
    expect(
      (await t.http.request('PATCH', messagePath, { body: { body: 'again' }, token: a!.token })).status,
    ).toBe(404);
    expect((await t.http.delete(`${path}/${randomUUID()}`, { token: a!.token })).status).toBe(404);
  });
});

describe('read markers and unread counts', () => {
  it('counts messages from others after the marker, and deletes lower the count', async () => {
    const [a, b] = await users(2);
    const group = await createGroup(t.http, a!, [b!]);
    const path = `/v1/conversations/${group.conversationId}/messages`;
    const m1 = await t.http.post(path, { body: 'one' }, { token: a!.token });
    await t.http.post(path, { body: 'mine' }, { token: b!.token });
    await t.http.post(path, { body: 'two' }, { token: a!.token });
    const m3 = await t.http.post(path, { body: 'three' }, { token: a!.token });
    const unread = async (position: unknown) =>
      (
        (await t.http.get('/v1/conversations', { token: b!.token, headers: at(position) })).body.items as {
          unreadCount: number;
        }[]
      )[0]!.unreadCount;
    expect(await unread(m3.body.position)).toBe(3);

    const read = await t.http.post(
      `/v1/conversations/${group.conversationId}/read`,
      { messageId: m1.body.messageId },
      { token: b!.token },
    );
    expect(read.status).toBe(204);
    expect(await unread(read.headers.get('x-position'))).toBe(2);

    const deleted = await t.http.delete(`${path}/${m3.body.messageId as string}`, { token: a!.token });
    expect(await unread(deleted.body.position)).toBe(1);

    // Reading an older message does not move the marker back.
    const back = await t.http.post(
      `/v1/conversations/${group.conversationId}/read`,
      { messageId: m1.body.messageId },
      { token: b!.token },
    );
    expect(back.status).toBe(204);
    expect(await unread(deleted.body.position)).toBe(1);

    const unknown = await t.http.post(
      `/v1/conversations/${group.conversationId}/read`,
      { messageId: randomUUID() },
      { token: b!.token },
    );
    expect(unknown.status).toBe(404);
  });
});

describe('blocks', () => {
  it('a blocked user cannot start or continue a direct conversation; unblocking restores it; history stays', async () => {
    const [blocker, blocked] = await users(2);
    const before = await t.http.post(
      '/v1/messages',
      { to: blocker!.username, body: 'before' },
      { token: blocked!.token },
    );
    expect(before.status).toBe(201);
    expect(
      (await t.http.post('/v1/blocks', { userId: blocked!.userId }, { token: blocker!.token })).status,
    ).toBe(204);

    const direct = await t.http.post(
      '/v1/messages',
      { to: blocker!.username, body: 'hi' },
      { token: blocked!.token },
    );
    expect(direct.status).toBe(403);
    expect(direct.body.type).toMatch(/blocked$/);
    const byId = await t.http.post(
      `/v1/conversations/${before.body.conversationId as string}/messages`,
      { body: 'hi' },
      { token: blocked!.token },
    );
    expect(byId.status).toBe(403);
    const history = await t.http.get(`/v1/conversations/${before.body.conversationId as string}/messages`, {
      token: blocker!.token,
      headers: at(before.body.position),
    });
    expect(history.body.items).toEqual([expect.objectContaining({ body: 'before' })]);

    expect((await t.http.delete(`/v1/blocks/${blocked!.userId}`, { token: blocker!.token })).status).toBe(
      204,
    );
    expect((await t.http.delete(`/v1/blocks/${blocked!.userId}`, { token: blocker!.token })).status).toBe(
      204,
    );
    const after = await t.http.post(
      '/v1/messages',
      { to: blocker!.username, body: 'again' },
      { token: blocked!.token },
    );
    expect(after.status).toBe(201);
  });

  it('refuses blocking an unknown user (404) or yourself (400)', async () => {
    const [a] = await users(1);
    expect((await t.http.post('/v1/blocks', { userId: randomUUID() }, { token: a!.token })).status).toBe(404);
    expect((await t.http.post('/v1/blocks', { userId: a!.userId }, { token: a!.token })).status).toBe(400);
    expect((await t.http.post('/v1/blocks', { userId: a!.userId })).status).toBe(401);
  });
});

describe('event metadata', () => {
  it('records correlation, causation, acting user and time on every event a request causes', async () => {
    const [a, b] = await users(2);
    const sent = await t.http.post(
      '/v1/messages',
      { to: b!.username, body: 'meta' },
      {
        token: a!.token,
        headers: { 'x-correlation-id': 'flow-42' },
      },
    );
    // The event at the position the command returned (positions are opaque: no `position - 1`).
    const position = BigInt(sent.body.position as string);
    const events = (
      await t.system.store.readStream(`conversation-${sent.body.conversationId as string}`)
    ).filter((event) => event.position === position);
    expect(events).toHaveLength(1);
    expect(events[0]?.metadata).toEqual({
      correlationId: 'flow-42',
      causationId: expect.any(String),
      userId: a!.userId,
      occurredAt: expect.any(String),
      schemaVersion: 1,
    });
  });
});
