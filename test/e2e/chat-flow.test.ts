import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyProjection } from '../../src/read-models/history/projection.js';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, signUp, type HttpClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem } from '../support/system.js';
import { TestClient, realtimeUrl } from '../support/ws-client.js';

let db: TestDatabase;
let system: RunningSystem;
let http: HttpClient;

beforeAll(async () => {
  db = await createTestDatabase();
  system = await startTestSystem(db.url);
  http = httpClient(`http://127.0.0.1:${system.httpPort}`);
});

afterAll(async () => {
  await system?.stop();
  await db?.drop();
});

describe('two people chat, end to end on the real stack', () => {
  it('sign up, log in, add a contact, message live, read history, survive a restart and a rebuild', async () => {
    const alice = await signUp(http, 'alice');
    const bob = await signUp(http, 'bob');

    const verify = await http.get('/v1/auth/verify', { token: alice.token });
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ userId: alice.userId, username: 'alice' });

    const bobLive = await TestClient.open(realtimeUrl(system.realtimePort!, bob.token));
    const aliceLive = await TestClient.open(realtimeUrl(system.realtimePort!, alice.token));

    const added = await http.post('/v1/contacts', { username: 'bob' }, { token: alice.token });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ userId: bob.userId, username: 'bob' });
    const contactFrame = await aliceLive.next((frame) => frame.type === 'contact.added');
    expect(contactFrame).toMatchObject({ position: added.body.position, data: { contactId: bob.userId } });

    const contacts = await http.get('/v1/contacts', {
      token: alice.token,
      headers: { 'x-min-position': added.body.position as string },
    });
    expect(contacts.status).toBe(200);
    expect(contacts.body.items).toEqual([
      expect.objectContaining({ userId: bob.userId, username: 'bob', displayName: 'bob' }),
    ]);

    const sent = await http.post('/v1/messages', { to: 'bob', body: 'Hello Bob!' }, { token: alice.token });
    expect(sent.status).toBe(201);
    const { messageId, conversationId, position } = sent.body as Record<string, string>;

    const frame = await bobLive.next((f) => f.type === 'message.sent');
    expect(frame).toEqual({
      type: 'message.sent',
      position,
      data: expect.objectContaining({
        messageId,
        conversationId,
        senderId: alice.userId,
        body: 'Hello Bob!',
      }),
    });
    // The sender's own devices see it too; nobody else's frames carry the member list.
    await aliceLive.next((f) => f.type === 'message.sent' && f.position === position);
    expect(frame.data).not.toHaveProperty('recipientIds');

    const readHistory = async (as: string) =>
      http.get(`/v1/conversations/${conversationId}/messages`, {
        token: as,
        headers: { 'x-min-position': position! },
      });
    const history = await readHistory(bob.token);
    expect(history.status).toBe(200);
    expect(history.body.items).toEqual([
      {
        messageId,
        senderId: alice.userId,
        body: 'Hello Bob!',
        sentAt: expect.any(String),
        deleted: false,
        position,
      },
    ]);

    const conversations = await http.get('/v1/conversations', {
      token: bob.token,
      headers: { 'x-min-position': position! },
    });
    expect(conversations.body.items).toEqual([
      expect.objectContaining({
        conversationId,
        kind: 'direct',
        unreadCount: 1,
        lastMessage: expect.objectContaining({ messageId, body: 'Hello Bob!' }),
      }),
    ]);

    await Promise.all([bobLive.close(), aliceLive.close()]);

    // Restart: everything comes back from the log and the read models in PostgreSQL.
    await system.stop();
    system = await startTestSystem(db.url);
    http = httpClient(`http://127.0.0.1:${system.httpPort}`);
    const relogin = await http.post('/v1/auth/token', { username: 'bob', password: 'correct horse battery' });
    expect(relogin.status).toBe(200);
    const afterRestart = await readHistory(relogin.body.access_token as string);
    expect(afterRestart.body).toEqual(history.body);

    // Rebuild the history projection from the log and read the same history.
    await system.pool.query('UPDATE messages SET body = $1', ['tampered']);
    await rebuildProjection(historyProjection, { store: system.store, pool: system.pool });
    const rebuilt = await readHistory(relogin.body.access_token as string);
    expect(rebuilt.body).toEqual(history.body);
  });
});
