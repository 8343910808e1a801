import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ChatClient, type EventFrame } from '../../client/src/index.js';
import type { RunningSystem } from '../../src/system.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem } from '../support/system.js';
import { uniqueName } from '../support/system.js';
import { clientFor, eventually, freePort, sentBodies } from './support.js';

const password = 'correct horse battery';
let db: TestDatabase;
let system: RunningSystem;
let ports: { PORT: string; REALTIME_PORT: string };

beforeAll(async () => {
  db = await createTestDatabase();
  ports = { PORT: String(await freePort()), REALTIME_PORT: String(await freePort()) };
  system = await startTestSystem(db.url, ports);
});
afterAll(async () => {
  await system?.stop();
  await db?.drop();
});

const newClient = (options: { fetch?: typeof fetch } = {}) =>
  clientFor(Number(ports.PORT), Number(ports.REALTIME_PORT), options);

async function signedUp(prefix: string, options: { fetch?: typeof fetch } = {}) {
  const client = newClient(options);
  const username = uniqueName(prefix);
  const { userId } = await client.signUp({ username, email: `${username}@example.com`, password });
  return { client, username, userId };
}

describe('the client library against the real server', () => {
  it('signs up, logs in, and makes every REST call', async () => {
    const alice = await signedUp('lib_a');
    const bob = await signedUp('lib_b');
    expect((await alice.client.me()).username).toBe(alice.username);
    expect((await alice.client.updateMe({ displayName: 'Alice' })).displayName).toBe('Alice');
    expect((await alice.client.searchUsers(bob.username)).map((u) => u.userId)).toEqual([bob.userId]);

    await alice.client.addContact({ username: bob.username });
    expect((await alice.client.contacts()).map((c) => c.username)).toEqual([bob.username]);
    await alice.client.removeContact(bob.userId);
    expect(await alice.client.contacts()).toEqual([]);

    const first = await alice.client.send({ to: bob.username }, 'hello bob');
    const reply = await bob.client.send({ conversationId: first.conversationId }, 'hello alice');
    expect((await bob.client.conversations()).items[0]).toMatchObject({
      conversationId: first.conversationId,
      unreadCount: 1,
    });
    await bob.client.markRead(first.conversationId, first.messageId);
    expect((await bob.client.conversations()).items[0]!.unreadCount).toBe(0);
    await alice.client.editMessage(first.conversationId, first.messageId, 'hello, bob');
    await bob.client.deleteMessage(first.conversationId, reply.messageId);
    for (let i = 0; i < 5; i++) await alice.client.send({ to: bob.username }, `page ${i}`);
    // Alice's client reads its own writes: its queries wait for the position of its last send.
    const newest = await alice.client.messages(first.conversationId, { limit: 4 });
    const older = await alice.client.messages(first.conversationId, { limit: 4, before: newest.nextCursor! });
    expect([...newest.items, ...older.items].map((m) => m.body)).toEqual([
      'page 4',
      'page 3',
      'page 2',
      'page 1',
      'page 0',
      null,
      'hello, bob',
    ]);

    const group = await alice.client.createGroup('lib', [bob.userId]);
    const carol = await signedUp('lib_c');
    await alice.client.addMember(group.conversationId, carol.userId);
    await alice.client.removeMember(group.conversationId, carol.userId);
    await alice.client.block(carol.userId);
    await expect(carol.client.send({ to: alice.username }, 'hi')).rejects.toMatchObject({
      status: 403,
      code: 'blocked',
    });
    await alice.client.unblock(carol.userId);
    await carol.client.send({ to: alice.username }, 'hi');

    await alice.client.logout();
    expect(alice.client.session.signedIn).toBe(false);
    await expect(alice.client.me()).rejects.toBeInstanceOf(ApiError);
  });

  it('refreshes once for many calls that find the token stale, and once more after a 401', async () => {
    const refreshes: string[] = [];
    const counting: typeof fetch = (input, init) => {
      if (String(input).endsWith('/v1/auth/refresh')) refreshes.push(String(init?.body));
      return fetch(input, init);
    };
    const { client } = await signedUp('lib_r', { fetch: counting });
    const stored = client.session.stored!;
    client.session.set({ ...stored, expiresAt: Date.now() });
    const answers = await Promise.all(Array.from({ length: 8 }, () => client.contacts()));
    expect(answers).toHaveLength(8);
    expect(refreshes).toHaveLength(1);
    // A token the server refuses (here: not a token at all) is refreshed once, and the call retried.
    client.session.set({ ...client.session.stored!, accessToken: 'garbage' });
    await Promise.all([client.me(), client.me(), client.contacts()]);
    expect(refreshes).toHaveLength(2);
    expect(new Set(refreshes).size).toBe(2);
  });

  it('keeps a conversation going live across a server restart: no message lost, none twice', async () => {
    const alice = await signedUp('rs_a');
    const bob = await signedUp('rs_b');
    const frames: EventFrame[] = [];
    const live = bob.client.realtime();
    live.on('event', (frame) => frames.push(frame));
    await eventually(() => live.state === 'open', 'bob connected');
    const aliceLive = alice.client.realtime();
    await eventually(() => aliceLive.state === 'open', 'alice connected');

    for (const body of ['one', 'two']) await alice.client.send({ to: bob.username }, body);
    await eventually(() => sentBodies(frames).length === 2, 'two messages live');

    await system.stop();
    await eventually(() => live.state === 'connecting', 'bob noticed');
    // Sent while the server is down: retried until it is back, idempotently.
    const whileDown = alice.client.send({ to: bob.username }, 'three');
    system = await startTestSystem(db.url, ports);
    await whileDown;
    await alice.client.send({ to: bob.username }, 'four');
    await eventually(() => sentBodies(frames).length >= 4, 'all four messages');
    await eventually(() => aliceLive.state === 'open', 'alice back');
    await bob.client.send({ to: alice.username }, 'five');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sentBodies(frames)).toEqual(['one', 'two', 'three', 'four', 'five']);
    const positions = frames.map((frame) => BigInt(frame.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(positions).size).toBe(positions.length);
    const firstMessage = frames.find((frame) => frame.type === 'message.sent');
    if (firstMessage?.type !== 'message.sent') throw new Error('no message frame');
    const history = await bob.client.messages(firstMessage.data.conversationId);
    expect(history.items.map((m) => m.body)).toEqual(['five', 'four', 'three', 'two', 'one']);
    live.stop();
    aliceLive.stop();
  });

  it('sends with a clientMessageId once, however often it is retried', async () => {
    const alice = await signedUp('idem_a');
    const bob = await signedUp('idem_b');
    const results = await Promise.all(
      Array.from({ length: 3 }, () =>
        alice.client.send({ to: bob.username }, 'once', { clientMessageId: 'same-id' }),
      ),
    );
    expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
    const history = await alice.client.messages(results[0]!.conversationId);
    expect(history.items).toHaveLength(1);
  });
});

/** Socket commands run once the server takes them (it answers a malformed command with an error). */
describe('commands over the socket', () => {
  it('sends, edits, reads and deletes over the socket with requestId acks', async (context) => {
    const alice = await signedUp('cmd_a');
    const bob = await signedUp('cmd_b');
    const live = alice.client.realtime();
    await eventually(() => live.state === 'open', 'connected');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (!live.acceptsCommands) {
      live.stop();
      context.skip();
    }
    const http: string[] = [];
    const watched = alice.client as ChatClient & { call: ChatClient['call'] };
    const call = watched.call.bind(watched);
    watched.call = (method, path, options) => {
      http.push(`${method} ${path}`);
      return call(method, path, options);
    };
    const sent = await alice.client.send({ to: bob.username }, 'over the socket');
    await alice.client.editMessage(sent.conversationId, sent.messageId, 'edited over the socket');
    const again = await alice.client.send({ conversationId: sent.conversationId }, 'second');
    await alice.client.deleteMessage(sent.conversationId, again.messageId);
    await alice.client.markRead(sent.conversationId, sent.messageId);
    expect(http).toEqual([]);
    // Positions from socket acks count for read-your-writes too.
    const history = await alice.client.messages(sent.conversationId);
    expect(history.items.map((m) => m.body)).toEqual([null, 'edited over the socket']);
    live.stop();
  });
});
