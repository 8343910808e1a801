import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../src/system.js';
import { TestClient, type ServerFrame } from '../support/ws-client.js';
import { httpClient, signUp, type HttpClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem, uniqueName } from '../support/system.js';

/**
 * Two realtime nodes side by side on one database: node A runs every role, node B only realtime
 * (its own log subscription, its own LISTEN connection). Clients are spread over both.
 */
let db: TestDatabase;
let nodeA: RunningSystem;
let nodeB: RunningSystem;
let http: HttpClient;
const clients: TestClient[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  nodeA = await startTestSystem(db.url);
  nodeB = await startTestSystem(db.url, { ROLES: 'realtime' });
  http = httpClient(`http://127.0.0.1:${nodeA.httpPort}`);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await nodeB?.stop();
  await nodeA?.stop();
  await db?.drop();
});

async function connect(node: RunningSystem, token: string): Promise<TestClient> {
  const client = await TestClient.open(
    `ws://127.0.0.1:${node.realtimePort}/v1/realtime?access_token=${encodeURIComponent(token)}`,
  );
  clients.push(client);
  return client;
}

const positioned = (client: TestClient): ServerFrame[] =>
  client.frames.filter((frame) => frame.position !== undefined);
const hasPosition = (client: TestClient, position: unknown) => () =>
  client.frames.some((frame) => frame.position === position);
const ephemeral = (client: TestClient, type: string) =>
  client.frames.filter((frame) => frame.type === type).map((frame) => frame.data);

describe('realtime with several nodes', () => {
  it('delivers every frame to every device of a user, whichever node each device is on', async () => {
    const [ann, ben] = await Promise.all([signUp(http, uniqueName('ann')), signUp(http, uniqueName('ben'))]);
    const annPhone = await connect(nodeA, ann.token);
    const annLaptop = await connect(nodeB, ann.token);
    const benLaptop = await connect(nodeB, ben.token);

    const positions: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const [from, to] = i % 2 === 0 ? [ben, ann] : [ann, ben];
      const sent = await http.post('/v1/messages', { to: to.username, body: `m${i}` }, { token: from.token });
      expect(sent.status).toBe(201);
      positions.push(sent.body.position as string);
    }
    const last = positions.at(-1);
    for (const client of [annPhone, annLaptop, benLaptop]) {
      await client.until(hasPosition(client, last), 'the last message');
    }

    // The same frames, in the same order, on each device: the conversation, then every message.
    const phoneFrames = positioned(annPhone);
    expect(positioned(annLaptop)).toEqual(phoneFrames);
    expect(positioned(benLaptop)).toEqual(phoneFrames);
    expect(phoneFrames.map((frame) => frame.type)).toEqual([
      'conversation.created',
      ...positions.map(() => 'message.sent'),
    ]);
    expect(phoneFrames.slice(1).map((frame) => frame.position)).toEqual(positions);
  });

  it('sends a member added to a group its frames at once, and never a non-member', async () => {
    const [ann, ben, cat, dan] = await Promise.all(
      ['ann', 'ben', 'cat', 'dan'].map((name) => signUp(http, uniqueName(name))),
    );
    const [annA, benB, catB, catA, danA] = await Promise.all([
      connect(nodeA, ann!.token),
      connect(nodeB, ben!.token),
      connect(nodeB, cat!.token),
      connect(nodeA, cat!.token),
      connect(nodeA, dan!.token),
    ]);

    const group = await http.post(
      '/v1/conversations',
      { title: 'Pair', memberIds: [ben!.userId] },
      { token: ann!.token },
    );
    const conversationId = group.body.conversationId as string;
    const path = `/v1/conversations/${conversationId}/messages`;
    const before = await http.post(path, { body: 'before cat' }, { token: ben!.token });
    await annA.until(hasPosition(annA, before.body.position), 'the message before cat joined');

    const added = await http.post(
      `/v1/conversations/${conversationId}/members`,
      { userId: cat!.userId },
      { token: ann!.token },
    );
    expect(added.status).toBe(204);
    const addedAt = added.headers.get('x-position');
    const next = await http.post(path, { body: 'welcome cat' }, { token: ann!.token });
    for (const client of [catB, catA]) {
      await client.until(hasPosition(client, next.body.position), 'the message after the add');
      // Exactly: the add, then the next message; nothing from before cat joined.
      expect(positioned(client).map((frame) => [frame.type, frame.position])).toEqual([
        ['member.added', addedAt],
        ['message.sent', next.body.position],
      ]);
      expect(positioned(client)[0]?.data).toMatchObject({ conversationId, userId: cat!.userId });
    }
    for (const client of [annA, benB])
      await client.until(hasPosition(client, next.body.position), 'the message');

    // Dan is in none of it: a direct message to him is a barrier, and it is all he ever got.
    const direct = await http.post(
      '/v1/messages',
      { to: dan!.username, body: 'hi dan' },
      { token: ann!.token },
    );
    await danA.until(hasPosition(danA, direct.body.position), 'the direct message');
    expect(positioned(danA).map((frame) => frame.data?.conversationId)).toEqual([
      direct.body.conversationId,
      direct.body.conversationId,
    ]);
    expect(danA.frames.some((frame) => frame.data?.conversationId === conversationId)).toBe(false);
  });

  it('carries presence and typing from one node to the other', async () => {
    const [eve, fay] = await Promise.all([signUp(http, uniqueName('eve')), signUp(http, uniqueName('fay'))]);
    const contact = await http.post('/v1/contacts', { username: eve.username }, { token: fay.token });
    expect(contact.status).toBe(201);
    const group = await http.post(
      '/v1/conversations',
      { title: 'Two', memberIds: [fay.userId] },
      { token: eve.token },
    );
    // Presence and typing read the read models: wait until they show both.
    const ready = await http.get('/v1/conversations', {
      token: fay.token,
      headers: { 'x-min-position': group.body.position as string },
    });
    expect(ready.status).toBe(200);

    const fayA = await connect(nodeA, fay.token);
    const eveB = await connect(nodeB, eve.token);
    await fayA.until(() => ephemeral(fayA, 'presence').length === 1, 'eve online');
    expect(ephemeral(fayA, 'presence')).toEqual([{ userId: eve.userId, online: true }]);
    // Eve has no contacts, but fay has her: eve's snapshot tells her fay is online.
    await eveB.until(() => ephemeral(eveB, 'presence').length === 1, 'the snapshot');
    expect(ephemeral(eveB, 'presence')).toEqual([{ userId: fay.userId, online: true }]);

    eveB.send({ type: 'typing', conversationId: group.body.conversationId });
    await fayA.until(() => ephemeral(fayA, 'typing').length === 1, 'eve typing');
    expect(ephemeral(fayA, 'typing')).toEqual([
      { conversationId: group.body.conversationId, userId: eve.userId },
    ]);

    await eveB.close();
    await fayA.until(() => ephemeral(fayA, 'presence').length === 2, 'eve offline');
    expect(ephemeral(fayA, 'presence').at(-1)).toEqual({ userId: eve.userId, online: false });
  });

  it('never shows presence across a block, either way', async () => {
    const [kim, lee, max] = await Promise.all(
      ['kim', 'lee', 'max'].map((name) => signUp(http, uniqueName(name))),
    );
    // Lee has both as contacts; Kim blocks Lee.
    await http.post('/v1/contacts', { username: kim!.username }, { token: lee!.token });
    await http.post('/v1/contacts', { username: max!.username }, { token: lee!.token });
    const blocked = await http.post('/v1/blocks', { userId: lee!.userId }, { token: kim!.token });
    expect(blocked.status).toBe(204);
    const ready = await http.get('/v1/contacts', {
      token: lee!.token,
      headers: { 'x-min-position': blocked.headers.get('x-position')! },
    });
    expect(ready.body.items).toHaveLength(2);

    const leeA = await connect(nodeA, lee!.token);
    const kimB = await connect(nodeB, kim!.token);
    // Max's arrival is the barrier: presence is delivered in commit order, so Kim's would come first.
    await connect(nodeB, max!.token);
    await leeA.until(() => ephemeral(leeA, 'presence').length === 1, 'max online');
    expect(ephemeral(leeA, 'presence')).toEqual([{ userId: max!.userId, online: true }]);
    // Kim's snapshot leaves Lee out too.
    const kimSnapshot = await connect(nodeA, kim!.token);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ephemeral(kimSnapshot, 'presence')).toEqual([]);
    expect(ephemeral(kimB, 'presence')).toEqual([]);
  });
});
