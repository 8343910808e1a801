import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedUpgrade, TestClient } from '../support/ws-client.js';
import { createHarness, realtimeUrl, type Harness } from './support/harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await createHarness();
});
afterAll(async () => {
  await harness?.cleanup();
});

describe('what one user can take of a realtime node', () => {
  it('caps open connections per user with 429, and frees a slot when one closes', async () => {
    const server = await harness.startServer({ maxConnectionsPerUser: 3 });
    const user = randomUUID();
    const url = realtimeUrl(server.port, { access_token: await harness.tokenFor(user) });
    const open = await Promise.all([1, 2, 3].map(() => TestClient.open(url)));
    const refused = await refusedUpgrade(url);
    expect(refused.status).toBe(429);
    expect(refused.contentType).toBe('application/problem+json');
    // Another user is not affected.
    const other = await TestClient.open(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(randomUUID()) }),
    );
    await open[0]!.close();
    let again: TestClient | undefined;
    for (let attempt = 0; attempt < 50 && !again; attempt++) {
      again = await TestClient.open(url).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return undefined;
      });
    }
    expect(again).toBeDefined();
    await Promise.all([...open.slice(1), other, again!].map((client) => client.close()));
    await server.close();
  });

  it('refuses a validly signed token of a user that does not exist', async () => {
    const known = randomUUID();
    // Known at once (the command cache holds the user): the upgrade is refused with 401.
    const server = await harness.startServer({ userExists: (userId) => userId === known });
    const refused = await refusedUpgrade(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(randomUUID()) }),
    );
    expect(refused.status).toBe(401);
    const accepted = await TestClient.open(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(known) }),
    );
    await accepted.close();
    await server.close();
  });

  it('closes with 4003, before sending anything, a socket whose user turns out not to exist', async () => {
    const known = randomUUID();
    const server = await harness.startServer({ userExists: async (userId) => userId === known });
    const stranger = await TestClient.open(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(randomUUID()) }),
    );
    stranger.send({ type: 'ping' });
    expect(await stranger.untilClosed()).toEqual({ code: 4003, reason: 'unknown user' });
    expect(stranger.frames).toEqual([]);
    const accepted = await TestClient.open(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(known) }),
    );
    // A frame sent before the check is done is answered after it.
    accepted.send({ type: 'ping' });
    await accepted.next((frame) => frame.type === 'pong');
    await accepted.close();
    await server.close();
  });

  it('keeps memory bounded when 100 resumes of a large history never read', async () => {
    const server = await harness.startServer();
    const users = Array.from({ length: 5 }, () => randomUUID());
    // 1,500 frames of ~12 KB for every user: 18 MB of replay each.
    await harness.append(
      Array.from({ length: 1_500 }, () => users),
      { pad: 12_000 },
    );
    global.gc?.();
    const before = process.memoryUsage.rss();
    const clients: TestClient[] = [];
    for (const user of users) {
      const token = await harness.tokenFor(user);
      for (let i = 0; i < 20; i++) {
        const client = await TestClient.open(realtimeUrl(server.port, { access_token: token, since: '0' }));
        client.pauseReading();
        clients.push(client);
      }
    }
    // Time for every replay to fill what it may and stall.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const grown = process.memoryUsage.rss() - before;
    console.log(`RSS grew by ${(grown / 2 ** 20).toFixed(0)} MiB with 100 stalled resumes`);
    // Unbounded, this was 100 × 18 MB; bounded, each holds one read and its socket's buffer.
    expect(grown).toBeLessThan(300 * 2 ** 20);
    // And the node still serves everyone else.
    const fresh = await TestClient.open(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(randomUUID()) }),
    );
    fresh.send({ type: 'ping' });
    await fresh.untilFrame((frame) => frame.type === 'pong', 'pong');
    await fresh.close();
    // They read nothing, so they would not read a close frame either.
    for (const client of clients) client.socket.terminate();
    await server.close();
  }, 60_000);
});
