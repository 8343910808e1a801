import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStoreUnavailableError } from '../../src/eventstore/errors.js';
import type { LoggedEvent } from '../../src/log.js';
import { createTokenService } from '../../src/platform/tokens.js';
import { CloseCode } from '../../src/realtime/close-codes.js';
import {
  createHarness,
  realtimeUrl,
  storeWith,
  TEST_SECRET,
  testFrameFor,
  type Harness,
  raw,
} from './support/harness.js';
import { TestClient } from '../support/ws-client.js';

describe('realtime connection lifecycle', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness();
  });

  afterAll(async () => {
    await harness?.cleanup();
  });

  it('closes a connection with 4001 when its token expires, and only that one', async () => {
    const server = await harness.startServer();
    const shortLived = createTokenService({ secret: TEST_SECRET, accessTokenTtlSeconds: 2 });
    const user = randomUUID();
    const { token } = await shortLived.issueAccessToken({ userId: user, username: 'short' });
    const expiring = await TestClient.open(realtimeUrl(server.port, { access_token: token }));
    const lasting = await TestClient.open(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(user) }),
    );

    expect(await expiring.untilClosed()).toEqual({ code: CloseCode.tokenExpired, reason: 'token expired' });
    // The other connection of the same user is still served.
    await harness.append([[user]], { firstN: 1 });
    await lasting.untilFrame((frame) => frame.data?.n === 1, 'a frame after the expiry');
    expect(lasting.closedWith).toBeUndefined();
    await lasting.close();
  });

  it('close() sends 1001 to every connection, stops listening and resolves', async () => {
    const server = await harness.startServer();
    const user = randomUUID();
    const since = await harness.store.headPosition();
    const clients = await Promise.all([
      TestClient.open(realtimeUrl(server.port, { access_token: await harness.tokenFor(user) })),
      TestClient.open(realtimeUrl(server.port, { access_token: await harness.tokenFor(randomUUID()) })),
      TestClient.open(
        realtimeUrl(server.port, { access_token: await harness.tokenFor(user), since: since.toString() }),
      ),
    ]);

    await server.close();
    for (const client of clients) {
      expect(await client.untilClosed()).toEqual({ code: CloseCode.goingAway, reason: 'going away' });
    }
    await expect(
      TestClient.open(realtimeUrl(server.port, { access_token: await harness.tokenFor(user) })),
    ).rejects.toThrow(/ECONNREFUSED/);
    await server.close(); // idempotent
  });

  it('resubscribes after the log subscription fails, without losing or repeating frames', async () => {
    const store = harness.store;
    let subscriptions = 0;
    const flaky = storeWith(store, {
      subscribeToAll(options) {
        subscriptions += 1;
        const attempt = subscriptions;
        return (async function* (): AsyncGenerator<LoggedEvent> {
          if (attempt === 2) throw new EventStoreUnavailableError('simulated: cannot reconnect');
          let delivered = 0;
          for await (const event of store.subscribeToAll(options)) {
            yield event;
            delivered += 1;
            if (attempt === 1 && delivered === 2)
              throw new EventStoreUnavailableError('simulated: connection lost');
          }
        })();
      },
    });
    const server = await harness.startServer({ store: flaky });
    const user = randomUUID();
    const client = await TestClient.open(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(user) }),
    );

    const positions = await harness.append(
      Array.from({ length: 5 }, () => [user]),
      { firstN: 1 },
    );
    await client.until(() => client.frames.length === 5, 'all five frames');
    expect(client.positions()).toEqual(positions);
    expect(subscriptions).toBeGreaterThanOrEqual(3);
    const failures = harness.logs.filter(
      (line) => line.msg === 'shared log subscription failed; resubscribing',
    );
    expect(failures.length).toBeGreaterThanOrEqual(2);
    await client.close();
    await server.close();
  });

  it('skips an event its frame mapping throws on and keeps serving the rest', async () => {
    const server = await harness.startServer({
      frameFor: (event) => {
        if (raw(event).data.n === 2) throw new Error('simulated mapping bug');
        return testFrameFor(event);
      },
    });
    const user = randomUUID();
    const client = await TestClient.open(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(user) }),
    );
    await harness.append([[user], [user], [user]], { firstN: 1 });
    await client.untilFrame((frame) => frame.data?.n === 3, 'the frame after the bad one');
    expect(client.numbers()).toEqual([1, 3]);
    expect(harness.logs.some((line) => line.msg === 'realtime frame mapping failed; event skipped')).toBe(
      true,
    );
    await client.close();
    await server.close();
  });
});
