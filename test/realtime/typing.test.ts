import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeServer } from '../../src/realtime/server.js';
import { createHarness, realtimeUrl, type Harness } from './support/harness.js';
import { TestClient, type ServerFrame } from '../support/ws-client.js';

const typings = (client: TestClient): Record<string, unknown>[] =>
  client.frames.flatMap((frame: ServerFrame) => (frame.type === 'typing' && frame.data ? [frame.data] : []));

describe('realtime typing across nodes', () => {
  let harness: Harness;
  let nodeA: RealtimeServer;
  let nodeB: RealtimeServer;

  beforeAll(async () => {
    harness = await createHarness();
    [nodeA, nodeB] = await Promise.all([harness.startServer(), harness.startServer()]);
  });

  afterAll(async () => {
    await harness?.cleanup();
  });

  const connect = async (node: RealtimeServer, userId: string) =>
    TestClient.open(realtimeUrl(node.port, { access_token: await harness.tokenFor(userId) }));

  it('goes to every device of the other members, on every node, and to nobody else', async () => {
    const [alice, bob, carol, dave] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const conversationId = await harness.createConversation([alice, bob, carol]);
    const aliceClient = await connect(nodeA, alice);
    const bobPhone = await connect(nodeA, bob);
    const bobLaptop = await connect(nodeB, bob);
    const carolClient = await connect(nodeB, carol);
    const daveClient = await connect(nodeA, dave);

    aliceClient.send({ type: 'typing', conversationId });
    const fromAlice = { conversationId, userId: alice };
    for (const client of [bobPhone, bobLaptop, carolClient]) {
      await client.until(() => typings(client).length === 1, 'alice typing');
      expect(typings(client)).toEqual([fromAlice]);
      expect(client.frames.find((frame) => frame.type === 'typing')).not.toHaveProperty('position');
    }

    // Barriers: a later typing frame for alice and for dave; anything earlier would be there first.
    bobPhone.send({ type: 'typing', conversationId });
    await aliceClient.until(() => typings(aliceClient).length === 1, 'bob typing');
    expect(typings(aliceClient)).toEqual([{ conversationId, userId: bob }]);
    const other = await harness.createConversation([carol, dave]);
    carolClient.send({ type: 'typing', conversationId: other });
    await daveClient.until(() => typings(daveClient).length === 1, 'carol typing elsewhere');
    expect(typings(daveClient)).toEqual([{ conversationId: other, userId: carol }]);
    await Promise.all(
      [aliceClient, bobPhone, bobLaptop, carolClient, daveClient].map((client) => client.close()),
    );
  });

  it('ignores typing from a non-member and typing frames it cannot read', async () => {
    const [erin, frank, gina] = [randomUUID(), randomUUID(), randomUUID()];
    const conversationId = await harness.createConversation([erin, frank]);
    const erinClient = await connect(nodeA, erin);
    const frankClient = await connect(nodeB, frank);
    const outsider = await connect(nodeA, gina);

    outsider.send({ type: 'typing', conversationId });
    outsider.send({ type: 'typing', conversationId: randomUUID() });
    outsider.send({ type: 'typing', conversationId: 'not-a-uuid' });
    outsider.send({ type: 'typing' });
    outsider.send({ type: 'typing', conversationId: 42 });
    outsider.send({ type: 'ping' });
    await outsider.untilFrame((frame) => frame.type === 'pong', 'pong');
    // The member's frame, sent after, is a barrier for the outsider's.
    erinClient.send({ type: 'typing', conversationId: conversationId.toUpperCase() });
    await frankClient.until(() => typings(frankClient).length === 1, 'erin typing');
    expect(typings(frankClient)).toEqual([{ conversationId, userId: erin }]);
    expect(outsider.closedWith).toBeUndefined();
    await Promise.all([erinClient, frankClient, outsider].map((client) => client.close()));
  });

  it('forwards at most one typing frame per conversation per interval, and caps each user', async () => {
    const limited = await harness.startServer({
      typingLimits: { perConversationMs: 60_000, maxPerWindow: 3, windowMs: 60_000 },
    });
    const [hank, ivan, judy] = [randomUUID(), randomUUID(), randomUUID()];
    const conversations = await Promise.all(
      Array.from({ length: 4 }, () => harness.createConversation([hank, ivan])),
    );
    const barrier = await harness.createConversation([judy, ivan]);
    const secondBarrier = await harness.createConversation([judy, ivan]);
    const hankClient = await connect(limited, hank);
    const ivanClient = await connect(nodeA, ivan);
    const judyClient = await connect(nodeB, judy);

    const [first, second, third, fourth] = conversations as [string, string, string, string];
    for (const conversationId of [first, first, first, second, second, third, fourth]) {
      hankClient.send({ type: 'typing', conversationId });
    }
    hankClient.send({ type: 'ping' });
    await hankClient.untilFrame((frame) => frame.type === 'pong', 'pong after the typing frames');
    await ivanClient.until(() => typings(ivanClient).length === 3, 'three typing frames');
    judyClient.send({ type: 'typing', conversationId: barrier });
    await ivanClient.until(() => typings(ivanClient).length === 4, 'the barrier');

    const received = typings(ivanClient);
    expect(received.at(-1)).toEqual({ conversationId: barrier, userId: judy });
    expect(
      received
        .slice(0, 3)
        .map((data) => data.conversationId)
        .sort(),
    ).toEqual([first, second, third].sort());
    // A second connection of the same user shares the user's allowance: nothing more gets through.
    const hankAgain = await connect(limited, hank);
    hankAgain.send({ type: 'typing', conversationId: fourth });
    hankAgain.send({ type: 'ping' });
    await hankAgain.untilFrame((frame) => frame.type === 'pong', 'pong after the typing frame');
    await new Promise((resolve) => setTimeout(resolve, 200));
    judyClient.send({ type: 'typing', conversationId: secondBarrier });
    await ivanClient.until(() => typings(ivanClient).length === 5, 'the second barrier');
    expect(typings(ivanClient).at(-1)).toEqual({ conversationId: secondBarrier, userId: judy });
    expect(typings(ivanClient).filter((data) => data.conversationId === fourth)).toEqual([]);
    await Promise.all([hankClient, hankAgain, ivanClient, judyClient].map((client) => client.close()));
    await limited.close();
  });
});
