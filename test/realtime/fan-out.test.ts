import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeServer } from '../../src/realtime/server.js';
import { createHarness, realtimeUrl, type Harness } from './support/harness.js';
import { TestClient } from '../support/ws-client.js';

describe('realtime fan-out', () => {
  let harness: Harness;
  let server: RealtimeServer;

  beforeAll(async () => {
    harness = await createHarness();
    // Events from before the server started are not live frames.
    await harness.append([['nobody']]);
    server = await harness.startServer();
  });

  afterAll(async () => {
    await harness?.cleanup();
  });

  const connect = async (userId: string) =>
    TestClient.open(realtimeUrl(server.port, { access_token: await harness.tokenFor(userId) }));

  it('sends each frame to every connection of each audience user, and to nobody else', async () => {
    const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
    const alicePhone = await connect(alice);
    const aliceLaptop = await connect(alice);
    const bobClient = await connect(bob);
    const carolClient = await connect(carol);

    const positions = await harness.append([[alice], [alice, bob], [bob], [bob, bob], ['someone-else']], {
      firstN: 1,
    });
    // A last frame for everyone: frames come in log order, so once it arrives nothing earlier is missing.
    await harness.append([[alice, bob, carol]], { firstN: 99 });
    const clients = [alicePhone, aliceLaptop, bobClient, carolClient];
    await Promise.all(
      clients.map((client) => client.untilFrame((frame) => frame.data?.n === 99, 'the last frame')),
    );

    expect(alicePhone.numbers()).toEqual([1, 2, 99]);
    expect(aliceLaptop.numbers()).toEqual([1, 2, 99]);
    expect(bobClient.numbers()).toEqual([2, 3, 4, 99]);
    expect(carolClient.numbers()).toEqual([99]);

    const [p1, p2] = positions;
    expect(alicePhone.frames.slice(0, 2)).toEqual([
      { type: 'test.happened', position: String(p1), data: { n: 1 } },
      { type: 'test.happened', position: String(p2), data: { n: 2 } },
    ]);
    await Promise.all(clients.map((client) => client.close()));
  });

  it('carries positions as decimal strings, in log order, matching the store', async () => {
    const user = randomUUID();
    const client = await connect(user);
    const positions = await harness.append(
      Array.from({ length: 50 }, () => [user]),
      { firstN: 0 },
    );
    await client.until(() => client.frames.length === 50, '50 frames');

    for (const frame of client.frames) expect(frame.position).toMatch(/^(0|[1-9][0-9]*)$/);
    expect(client.positions()).toEqual(positions);
    expect(client.numbers()).toEqual(Array.from({ length: 50 }, (_, index) => index));
    await client.close();
  });

  it('answers ping with pong and ignores what it cannot parse', async () => {
    const client = await connect(randomUUID());
    client.send('not json');
    client.send('[1,2]');
    client.send({ type: 'no-such-type' });
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    client.send({ type: 'ping' });
    await client.untilFrame((frame) => frame.type === 'pong', 'pong');
    expect(client.frames).toEqual([{ type: 'pong' }]);
    expect(client.closedWith).toBeUndefined();
    await client.close();
  });
});
