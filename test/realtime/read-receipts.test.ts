import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';
import { realtimeUrl, TestClient } from '../support/ws-client.js';
import { command } from './support/commands.js';

const t = useTestSystem();
type User = Awaited<ReturnType<typeof signUp>>;
let alice: User;
let bob: User;
let carol: User;
let conversationId: string;
const clients: TestClient[] = [];

async function connect(user: User): Promise<TestClient> {
  const client = await TestClient.open(realtimeUrl(t.system.realtimePort!, user.token));
  clients.push(client);
  return client;
}

async function send(body: string): Promise<{ messageId: string; position: string }> {
  const sent = await t.http.post(
    `/v1/conversations/${conversationId}/messages`,
    { body },
    { token: alice.token },
  );
  return sent.body as { messageId: string; position: string };
}

/** members[].lastReadMessageId of the conversation as `viewer` sees it, after `position`. */
async function receipts(viewer: User, position: string): Promise<Record<string, string | null>> {
  const detail = await t.http.get<{ members: { userId: string; lastReadMessageId: string | null }[] }>(
    `/v1/conversations/${conversationId}`,
    { token: viewer.token, headers: { 'x-min-position': position } },
  );
  expect(detail.status).toBe(200);
  return Object.fromEntries(detail.body.members.map((m) => [m.userId, m.lastReadMessageId]));
}

beforeAll(async () => {
  [alice, bob, carol] = (await Promise.all(
    ['alice', 'bob', 'carol'].map((n) => signUp(t.http, uniqueName(n))),
  )) as [User, User, User];
  const created = await t.http.post(
    '/v1/conversations',
    { title: 'receipts', memberIds: [bob.userId, carol.userId] },
    { token: alice.token },
  );
  conversationId = created.body.conversationId as string;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

describe('read receipts', () => {
  it('reach the other members, by frame and in GET /v1/conversations/{id}', async () => {
    const aliceSocket = await connect(alice);
    const first = await send('one');
    const read = await t.http.post(
      `/v1/conversations/${conversationId}/read`,
      { messageId: first.messageId },
      { token: bob.token },
    );
    expect(read.status).toBe(204);
    const frame = await aliceSocket.next(
      (f) => f.type === 'conversation.read' && f.data?.userId === bob.userId,
    );
    expect(frame.data).toMatchObject({ conversationId, messageId: first.messageId });
    expect(frame.data).not.toHaveProperty('recipientIds');
    const position = read.headers.get('x-position')!;
    expect((await receipts(alice, position))[bob.userId]).toBe(first.messageId);
    expect((await receipts(carol, position))[bob.userId]).toBe(first.messageId);
  });

  it('stay with the reader when private, over HTTP or the socket', async () => {
    const aliceSocket = await connect(alice);
    const bobOther = await connect(bob);
    const bobSocket = await connect(bob);
    const shared = await send('two');
    const sharedRead = await command(bobSocket, {
      type: 'read',
      conversationId,
      messageId: shared.messageId,
    });
    expect(sharedRead.type).toBe('ack');
    await aliceSocket.next((f) => f.type === 'conversation.read' && f.data?.messageId === shared.messageId);

    const hidden = await send('three');
    const privateRead = await command(bobSocket, {
      type: 'read',
      conversationId,
      messageId: hidden.messageId,
      private: true,
    });
    expect(privateRead.type).toBe('ack');
    // The reader's other device hears of it; nobody else does.
    await bobOther.next((f) => f.type === 'conversation.read' && f.data?.messageId === hidden.messageId);
    const position = (privateRead.data as { position: string }).position;
    expect((await receipts(alice, position))[bob.userId]).toBe(shared.messageId);
    expect((await receipts(bob, position))[bob.userId]).toBe(hidden.messageId);

    const overHttp = await send('four');
    const httpRead = await t.http.post(
      `/v1/conversations/${conversationId}/read`,
      { messageId: overHttp.messageId, private: true },
      { token: carol.token },
    );
    expect(httpRead.status).toBe(204);
    expect((await receipts(alice, httpRead.headers.get('x-position')!))[carol.userId]).toBeNull();
    // Frames arrive in log order: once a later one is here, an earlier private marker would be too.
    const later = await send('five');
    await aliceSocket.next((f) => f.type === 'message.sent' && f.data?.messageId === later.messageId);
    expect(
      aliceSocket.frames.filter(
        (f) =>
          f.type === 'conversation.read' &&
          [hidden.messageId, overHttp.messageId].includes(f.data?.messageId as string),
      ),
    ).toEqual([]);
  });
});
