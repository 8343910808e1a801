import { afterAll, describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';
import { TestClient, realtimeUrl, type ServerFrame } from '../support/ws-client.js';

const t = useTestSystem();
const clients: TestClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
});

async function live(token: string) {
  const client = await TestClient.open(realtimeUrl(t.system.realtimePort!, token));
  clients.push(client);
  return client;
}
const atPosition = (type: string, position: unknown) => (frame: ServerFrame) =>
  frame.type === type && frame.position === position;

describe('a group of three, live', () => {
  it('create, talk, leave, edit, delete, read markers, block and unblock', async () => {
    const [ann, ben, cat] = await Promise.all(
      ['ann', 'ben', 'cat'].map((name) => signUp(t.http, uniqueName(name))),
    );
    const [annLive, benLive, catLive] = await Promise.all([ann!, ben!, cat!].map((user) => live(user.token)));

    const group = await t.http.post(
      '/v1/conversations',
      { title: 'Trio', memberIds: [ben!.userId, cat!.userId] },
      { token: ann!.token },
    );
    const id = group.body.conversationId as string;
    for (const client of [annLive, benLive, catLive]) {
      const frame = await client!.next(atPosition('conversation.created', group.body.position));
      expect(frame.data).toMatchObject({ conversationId: id, title: 'Trio', kind: 'group' });
    }

    const path = `/v1/conversations/${id}/messages`;
    const hello = await t.http.post(path, { body: 'hello trio' }, { token: ben!.token });
    for (const client of [annLive, benLive, catLive]) {
      const frame = await client!.next(atPosition('message.sent', hello.body.position));
      expect(frame.data).toMatchObject({
        messageId: hello.body.messageId,
        body: 'hello trio',
        senderId: ben!.userId,
      });
    }

    // Cat leaves: she hears of it, and hears nothing said afterwards.
    const leave = await t.http.delete(`/v1/conversations/${id}/members/${cat!.userId}`, {
      token: cat!.token,
    });
    await catLive!.next(atPosition('member.removed', leave.headers.get('x-position')));
    const after = await t.http.post(path, { body: 'just us' }, { token: ann!.token });
    await benLive!.next(atPosition('message.sent', after.body.position));
    await annLive!.next(atPosition('message.sent', after.body.position));
    const edited = await t.http.request('PATCH', `${path}/${after.body.messageId as string}`, {
      token: ann!.token,
      body: { body: 'just us two' },
    });
    const editFrame = await benLive!.next(atPosition('message.edited', edited.body.position));
    expect(editFrame.data).toMatchObject({ messageId: after.body.messageId, body: 'just us two' });
    const deleted = await t.http.delete(`${path}/${hello.body.messageId as string}`, { token: ben!.token });
    const deleteFrame = await annLive!.next(atPosition('message.deleted', deleted.body.position));
    expect(deleteFrame.data).toMatchObject({ messageId: hello.body.messageId });
    expect(deleteFrame.data).not.toHaveProperty('body');
    expect(
      catLive!.frames.filter(
        (frame) => BigInt(frame.position ?? '0') > BigInt(leave.headers.get('x-position')!),
      ),
    ).toEqual([]);

    // Read markers: Ben has one unread (Ann's edited message); reading it clears it on his devices.
    const before = await t.http.get('/v1/conversations', {
      token: ben!.token,
      headers: { 'x-min-position': deleted.body.position as string },
    });
    expect(before.body.items).toEqual([expect.objectContaining({ conversationId: id, unreadCount: 1 })]);
    const read = await t.http.post(
      `/v1/conversations/${id}/read`,
      { messageId: after.body.messageId },
      { token: ben!.token },
    );
    const readFrame = await benLive!.next(atPosition('conversation.read', read.headers.get('x-position')));
    expect(readFrame.data).toMatchObject({ userId: ben!.userId, unreadCount: 0 });
    const cleared = await t.http.get('/v1/conversations', {
      token: ben!.token,
      headers: { 'x-min-position': read.headers.get('x-position')! },
    });
    expect(cleared.body.items).toEqual([expect.objectContaining({ unreadCount: 0 })]);
    const history = await t.http.get(path, {
      token: ann!.token,
      headers: { 'x-min-position': read.headers.get('x-position')! },
    });
    expect(history.body.items).toEqual([
      expect.objectContaining({ body: 'just us two', editedAt: expect.any(String), deleted: false }),
      expect.objectContaining({ body: null, deleted: true }),
    ]);
    expect((await t.http.get(path, { token: cat!.token })).status).toBe(403);

    // A block stops a direct conversation both ways; unblocking restores it.
    const direct = await t.http.post(
      '/v1/messages',
      { to: ann!.username, body: 'psst' },
      { token: cat!.token },
    );
    await annLive!.next(atPosition('message.sent', direct.body.position));
    expect((await t.http.post('/v1/blocks', { userId: cat!.userId }, { token: ann!.token })).status).toBe(
      204,
    );
    expect(
      (await t.http.post('/v1/messages', { to: ann!.username, body: 'hello?' }, { token: cat!.token }))
        .status,
    ).toBe(403);
    expect((await t.http.delete(`/v1/blocks/${cat!.userId}`, { token: ann!.token })).status).toBe(204);
    const again = await t.http.post(
      '/v1/messages',
      { to: ann!.username, body: 'friends again' },
      { token: cat!.token },
    );
    expect(again.status).toBe(201);
    await annLive!.next(atPosition('message.sent', again.body.position));
    // Nobody ever received a frame for a conversation they were not in.
    expect(
      benLive!.frames.filter((frame) => frame.data?.conversationId === direct.body.conversationId),
    ).toEqual([]);
  });
});
