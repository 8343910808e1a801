import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';
import { realtimeUrl, TestClient } from '../support/ws-client.js';
import { answersTo, command } from './support/commands.js';

const t = useTestSystem();
type User = Awaited<ReturnType<typeof signUp>>;
let alice: User;
let bob: User;
let conversationId: string;
const clients: TestClient[] = [];

async function connect(user: User): Promise<TestClient> {
  const client = await TestClient.open(realtimeUrl(t.system.realtimePort!, user.token));
  clients.push(client);
  return client;
}

beforeAll(async () => {
  alice = await signUp(t.http, uniqueName('alice'));
  bob = await signUp(t.http, uniqueName('bob'));
  const first = await t.http.post('/v1/messages', { to: bob.username, body: 'hi' }, { token: alice.token });
  conversationId = first.body.conversationId as string;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

describe('commands over the socket', () => {
  it('sends, edits, deletes and reads, each acked with the HTTP success body after its own frame', async () => {
    const socket = await connect(alice);
    const bobSocket = await connect(bob);
    const sent = await command(socket, { type: 'send', conversationId, body: 'over the socket' });
    expect(sent).toMatchObject({ type: 'ack', data: { conversationId } });
    const { messageId, position } = sent.data as { messageId: string; position: string };
    expect(Object.keys(sent.data!).sort()).toEqual(['conversationId', 'messageId', 'position']);
    // The ack comes after the command's own frame on the same socket.
    const frameIndex = socket.frames.findIndex((f) => f.type === 'message.sent' && f.position === position);
    expect(frameIndex).toBeGreaterThanOrEqual(0);
    expect(frameIndex).toBeLessThan(socket.frames.indexOf(sent));
    await bobSocket.next((f) => f.type === 'message.sent' && f.data?.messageId === messageId);

    const edited = await command(socket, { type: 'edit', conversationId, messageId, body: 'edited' });
    expect(edited).toMatchObject({ type: 'ack', data: { position: expect.any(String) } });
    const read = await command(bobSocket, { type: 'read', conversationId, messageId });
    expect(read).toMatchObject({ type: 'ack', data: { position: expect.any(String) } });
    const deleted = await command(socket, { type: 'delete', conversationId, messageId });
    expect(deleted.type).toBe('ack');

    const history = await t.http.get<{ items: { messageId: string; deleted: boolean }[] }>(
      `/v1/conversations/${conversationId}/messages`,
      {
        token: alice.token,
        headers: { 'x-min-position': (deleted.data as { position: string }).position },
      },
    );
    expect(history.body.items.find((item) => item.messageId === messageId)?.deleted).toBe(true);
  });

  it('sends to a user by name, as POST /v1/messages does', async () => {
    const socket = await connect(bob);
    const sent = await command(socket, { type: 'send', to: alice.username, body: 'by name' });
    expect(sent).toMatchObject({ type: 'ack', data: { conversationId } });
  });

  it('keeps the ack after the frame, send after send', async () => {
    const socket = await connect(alice);
    const requestIds = Array.from({ length: 30 }, () => randomUUID());
    for (const requestId of requestIds) {
      socket.send({ type: 'send', requestId, conversationId, body: `burst ${requestId}` });
    }
    await socket.until(() => requestIds.every((id) => answersTo(socket, id).length > 0), 'every ack');
    for (const requestId of requestIds) {
      const ack = answersTo(socket, requestId)[0]!;
      expect(ack.type).toBe('ack');
      const { position } = ack.data as { position: string };
      const frameIndex = socket.frames.findIndex((f) => f.type === 'message.sent' && f.position === position);
      expect(frameIndex).toBeGreaterThanOrEqual(0);
      expect(frameIndex).toBeLessThan(socket.frames.indexOf(ack));
    }
  });

  it('writes one event for a re-send with the same clientMessageId, over HTTP then the socket', async () => {
    const clientMessageId = randomUUID();
    const overHttp = await t.http.post(
      `/v1/conversations/${conversationId}/messages`,
      { body: 'once', clientMessageId },
      { token: alice.token },
    );
    expect(overHttp.status).toBe(201);
    const socket = await connect(alice);
    const again = await command(socket, { type: 'send', conversationId, body: 'once', clientMessageId });
    expect(again).toMatchObject({ type: 'ack', data: overHttp.body });
    const pool = new pg.Pool({ connectionString: t.db.url, max: 1 });
    try {
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM event_store.events
          WHERE type = 'MessageSent' AND data->>'clientMessageId' = $1`,
        [clientMessageId],
      );
      expect(rows[0].n).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('answers a malformed command with a requestId with 400, and ignores one without', async () => {
    const socket = await connect(alice);
    const missingBody = await command(socket, { type: 'send', conversationId });
    expect(missingBody).toMatchObject({
      type: 'error',
      status: 400,
      problem: { status: 400, type: expect.stringMatching(/validation$/) },
    });
    const badId = await command(socket, { type: 'edit', conversationId: 'nope', messageId: 'x', body: 'b' });
    expect(badId).toMatchObject({ type: 'error', status: 400 });
    const nul = await command(socket, { type: 'send', conversationId, body: 'a\u0000b' });
    expect(nul).toMatchObject({ type: 'error', status: 400 });
    const both = await command(socket, { type: 'send', conversationId, to: bob.username, body: 'x' });
    expect(both).toMatchObject({ type: 'error', status: 400 });

    socket.send({ type: 'send', conversationId, body: 'no request id' });
    socket.send({ type: 'delete', requestId: 42, conversationId });
    socket.send({ type: 'ping' });
    await socket.next((frame) => frame.type === 'pong');
    expect(socket.frames.filter((frame) => frame.type === 'error' || frame.type === 'ack')).toHaveLength(4);
    expect(socket.frames.some((frame) => frame.type === 'message.sent')).toBe(false);
  });

  it('are described at GET /asyncapi.json, from the schemas that validate them', async () => {
    const response = await fetch(`http://127.0.0.1:${t.system.httpPort}/asyncapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      asyncapi: string;
      components: { messages: Record<string, { name: string }> };
    };
    expect(document.asyncapi).toBe('3.0.0');
    const names = Object.values(document.components.messages).map((message) => message.name);
    for (const type of [
      'send',
      'edit',
      'delete',
      'read',
      'ack',
      'error',
      'message.sent',
      'conversation.read',
    ]) {
      expect(names).toContain(type);
    }
  });
});
