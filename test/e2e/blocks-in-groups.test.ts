import { describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';
import { TestClient, realtimeUrl } from '../support/ws-client.js';

const t = useTestSystem();

describe('a block holds in groups too', () => {
  it('keeps the blocked user from bringing the blocker into a group, and the blocker from their messages', async () => {
    const [ann, bea, cal] = await Promise.all(
      ['bg_ann', 'bg_bea', 'bg_cal'].map((name) => signUp(t.http, uniqueName(name))),
    );
    expect((await t.http.post('/v1/blocks', { userId: cal!.userId }, { token: ann!.token })).status).toBe(
      204,
    );

    // Cal cannot start a group with Ann, nor add her to one.
    const refused = await t.http.post(
      '/v1/conversations',
      { title: 'sneaky', memberIds: [ann!.userId] },
      { token: cal!.token },
    );
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/blocked$/) });
    const calsGroup = await t.http.post<{ conversationId: string }>(
      '/v1/conversations',
      { title: 'cal and bea', memberIds: [bea!.userId] },
      { token: cal!.token },
    );
    const added = await t.http.post(
      `/v1/conversations/${calsGroup.body.conversationId}/members`,
      { userId: ann!.userId },
      { token: cal!.token },
    );
    expect(added.status).toBe(403);

    // In a group they already share (Ann made it), Ann gets none of Cal's messages.
    const shared = await t.http.post<{ conversationId: string; position: string }>(
      '/v1/conversations',
      { title: 'everyone', memberIds: [bea!.userId, cal!.userId] },
      { token: ann!.token },
    );
    const conversationId = shared.body.conversationId;
    const annLive = await TestClient.open(realtimeUrl(t.system.realtimePort!, ann!.token));
    const beaLive = await TestClient.open(realtimeUrl(t.system.realtimePort!, bea!.token));
    const fromCal = await t.http.post<{ messageId: string; position: string }>(
      `/v1/conversations/${conversationId}/messages`,
      { body: 'you cannot hear me' },
      { token: cal!.token },
    );
    expect(fromCal.status).toBe(201);
    const path = `/v1/conversations/${conversationId}/messages/${fromCal.body.messageId}`;
    expect(
      (await t.http.request('PATCH', path, { token: cal!.token, body: { body: 'still not' } })).status,
    ).toBe(200);
    const fromBea = await t.http.post<{ position: string }>(
      `/v1/conversations/${conversationId}/messages`,
      { body: 'hello all' },
      { token: bea!.token },
    );
    await beaLive.untilFrame((frame) => frame.type === 'message.edited', 'cal’s edit, for bea');
    await annLive.untilFrame((frame) => frame.data?.body === 'hello all', 'bea’s message, for ann');
    expect(JSON.stringify(annLive.frames)).not.toMatch(/hear me|still not/);

    const minPosition = { 'x-min-position': fromBea.body.position };
    const annHistory = await t.http.get<{ items: { body: string }[] }>(
      `/v1/conversations/${conversationId}/messages`,
      {
        token: ann!.token,
        headers: minPosition,
      },
    );
    expect(annHistory.body.items.map((item) => item.body)).toEqual(['hello all']);
    const beaHistory = await t.http.get<{ items: { body: string }[] }>(
      `/v1/conversations/${conversationId}/messages`,
      {
        token: bea!.token,
        headers: minPosition,
      },
    );
    expect(beaHistory.body.items.map((item) => item.body)).toEqual(['hello all', 'still not']);

    // Cal's message last: Ann's list shows no preview of it.
    await t.http.post(
      `/v1/conversations/${conversationId}/messages`,
      { body: 'last word' },
      { token: cal!.token },
    );
    const lastPosition = (
      await t.http.post<{ position: string }>(
        `/v1/conversations/${calsGroup.body.conversationId}/messages`,
        { body: 'x' },
        { token: cal!.token },
      )
    ).body.position;
    const list = await t.http.get<{
      items: { conversationId: string; lastMessage: unknown; unreadCount: number }[];
    }>('/v1/conversations', {
      token: ann!.token,
      headers: { 'x-min-position': lastPosition },
    });
    const annsView = list.body.items.find((item) => item.conversationId === conversationId);
    expect(annsView?.lastMessage).toBeNull();
    // Only Bea's message counts as unread for Ann.
    expect(annsView?.unreadCount).toBe(1);
    await Promise.all([annLive.close(), beaLive.close()]);
  });
});
