import { describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';
import { TestClient, realtimeUrl } from '../support/ws-client.js';

const t = useTestSystem();

describe('a replay', () => {
  it('shows what history shows now: no deleted body, no body older than the latest edit', async () => {
    const alice = await signUp(t.http, uniqueName('rp_a'));
    const bob = await signUp(t.http, uniqueName('rp_b'));
    const first = await t.http.post<{ position: string; conversationId: string; messageId: string }>(
      '/v1/messages',
      { to: bob.username, body: 'hello' },
      { token: alice.token },
    );
    const since = (BigInt(first.body.position) - 1n).toString();
    const { conversationId, messageId: kept } = first.body;
    const second = await t.http.post<{ messageId: string }>(
      '/v1/messages',
      { to: bob.username, body: 'regrettable' },
      { token: alice.token },
    );
    const path = (id: string) => `/v1/conversations/${conversationId}/messages/${id}`;
    for (const body of ['hello again', 'hello, finally']) {
      expect((await t.http.request('PATCH', path(kept), { token: alice.token, body: { body } })).status).toBe(
        200,
      );
    }
    expect((await t.http.request('DELETE', path(second.body.messageId), { token: alice.token })).status).toBe(
      200,
    );

    const client = await TestClient.open(realtimeUrl(t.system.realtimePort!, bob.token, since));
    await client.untilFrame((frame) => frame.type === 'message.deleted', 'the delete');
    const text = JSON.stringify(client.frames);
    expect(text).not.toMatch(/regrettable/);
    expect(text).not.toMatch(/"hello"|hello again/);
    expect(client.frames.map((frame) => [frame.type, frame.data?.body])).toEqual([
      ['message.sent', undefined],
      ['message.sent', undefined],
      ['message.edited', undefined],
      ['message.edited', 'hello, finally'],
      ['message.deleted', undefined],
    ]);
    await client.close();
  });
});
