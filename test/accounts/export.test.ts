import { describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem();

interface Export {
  user: { userId: string; username: string; email: string; displayName: string };
  contacts: { userId: string }[];
  blocks: { userId: string }[];
  conversations: { conversationId: string; memberIds: string[] }[];
  messages: { messageId: string; body: string | null; position: string }[];
}

describe('GET /v1/me/export', () => {
  it('streams everything held about the caller, past any page size', async () => {
    const { http } = t;
    const alice = await signUp(http, uniqueName('exporter'));
    const bob = await signUp(http, uniqueName('friend'));
    const eve = await signUp(http, uniqueName('blocked'));
    await http.post('/v1/contacts', { username: bob.username }, { token: alice.token });
    expect((await http.post('/v1/blocks', { userId: eve.userId }, { token: alice.token })).status).toBe(204);
    const sent = await http.post(
      '/v1/messages',
      { to: bob.username, body: 'mine to export' },
      { token: alice.token },
    );
    await http.post('/v1/messages', { to: alice.username, body: 'not mine' }, { token: bob.token });
    expect(sent.status).toBe(201);
    const conversationId = sent.body.conversationId as string;
    // Many more of the caller's messages than one page holds, straight into the read model.
    await t.system.pool.query(
      `INSERT INTO messages (message_id, conversation_id, seq, sender_id, body, sent_at, deleted, position)
       SELECT gen_random_uuid(), $1, 1000 + n, $2, 'bulk ' || n, now(), false, 1000000 + n
         FROM generate_series(1, 2500) AS n`,
      [conversationId, alice.userId],
    );

    const response = await fetch(`http://127.0.0.1:${t.system.httpPort}/v1/me/export`, {
      headers: { authorization: `Bearer ${alice.token}`, 'x-min-position': String(sent.body.position) },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const body = (await response.json()) as Export;
    expect(body.user).toMatchObject({
      userId: alice.userId,
      username: alice.username,
      email: `${alice.username}@example.com`,
    });
    expect(body.contacts.map((contact) => contact.userId)).toEqual([bob.userId]);
    expect(body.blocks.map((block) => block.userId)).toEqual([eve.userId]);
    expect(body.conversations).toHaveLength(1);
    expect(body.conversations[0]!.memberIds.sort()).toEqual([alice.userId, bob.userId].sort());
    expect(body.messages[0]).toMatchObject({ body: 'mine to export' });
    expect(body.messages).toHaveLength(2501);
    expect(body.messages[0]).toMatchObject({ messageId: sent.body.messageId, body: 'mine to export' });
    expect(body.messages.some((message) => message.body === 'not mine')).toBe(false);
    expect(new Set(body.messages.map((message) => message.messageId)).size).toBe(2501);

    expect((await http.get('/v1/me/export')).status).toBe(401);
  });
});
