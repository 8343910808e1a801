import { describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';
import { realtimeUrl, TestClient } from '../support/ws-client.js';
import { command } from './support/commands.js';

// 4 a minute, in bursts of 2: one bucket per user for HTTP and the socket together.
const t = useTestSystem({ SEND_RATE_PER_MINUTE: '4' });

describe('the send limit', () => {
  it('counts HTTP and socket sends together, and refuses over either with 429', async () => {
    const alice = await signUp(t.http, uniqueName('alice'));
    const bob = await signUp(t.http, uniqueName('bob'));
    const socket = await TestClient.open(realtimeUrl(t.system.realtimePort!, alice.token));
    const overHttp = await t.http.post(
      '/v1/messages',
      { to: bob.username, body: 'one' },
      { token: alice.token },
    );
    expect(overHttp.status).toBe(201);
    expect(await command(socket, { type: 'send', to: bob.username, body: 'two' })).toMatchObject({
      type: 'ack',
    });

    const refused = await command(socket, { type: 'send', to: bob.username, body: 'three' });
    const refusedHttp = await t.http.post(
      '/v1/messages',
      { to: bob.username, body: 'four' },
      { token: alice.token },
    );
    expect(refusedHttp.status).toBe(429);
    expect(refused).toMatchObject({
      type: 'error',
      status: 429,
      problem: { type: refusedHttp.body.type, status: 429 },
      retryAfter: expect.any(Number),
    });
    expect(refused.problem).toEqual(refusedHttp.body);
    await socket.close();
  });
});
