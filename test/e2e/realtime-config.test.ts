import { describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';
import { TestClient, realtimeUrl } from '../support/ws-client.js';

const t = useTestSystem({ REALTIME_REPLAY_LIMIT: '20' });

describe('realtime bounds from configuration', () => {
  it('answers resync instead of replaying past REALTIME_REPLAY_LIMIT, and replays within it', async () => {
    const a = await signUp(t.http, uniqueName('a'));
    const b = await signUp(t.http, uniqueName('b'));
    const before = await t.system.store.headPosition();
    const positions: string[] = [];
    for (let i = 0; i < 25; i++) {
      positions.push(
        (await t.http.post('/v1/messages', { to: b.username, body: `m${i}` }, { token: a.token })).body
          .position as string,
      );
    }
    const last = positions.at(-1);
    const far = await TestClient.open(realtimeUrl(t.system.realtimePort!, b.token, before.toString()));
    const first = await far.next(() => true);
    expect(first).toEqual({ type: 'resync' });
    await far.close();

    // Five messages back: the position of the sixth-newest (positions are opaque, no `last - 5`).
    const near = await TestClient.open(realtimeUrl(t.system.realtimePort!, b.token, positions.at(-6)));
    await near.next((frame) => frame.position === last);
    expect(near.frames.map((frame) => frame.type)).toEqual(Array(5).fill('message.sent'));
    await near.close();
  });
});
