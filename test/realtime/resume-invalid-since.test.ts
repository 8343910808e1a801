import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidPositionError } from '../../src/eventstore/errors.js';
import { TestClient } from '../support/ws-client.js';
import { createHarness, realtimeUrl, storeWith, type Harness } from './support/harness.js';

/*
 * A `since` must be a position the store returned, or 0. EventStoreDB's positions are byte
 * offsets, so a made-up number at or below the head is refused by the store's reads
 * (InvalidPositionError); a number past the head is refused on any store. Either way the client
 * gets `resync` and stays connected, instead of a 1011 close and the same `since` again.
 */
describe('realtime resume from a since the store refuses', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness();
  });

  afterAll(async () => {
    await harness?.cleanup();
  });

  it('answers resync, keeps the connection and goes live', async () => {
    const user = randomUUID();
    const [refused] = await harness.append([[user], [user]], { firstN: 1 });
    if (refused === undefined) throw new Error('unreachable');
    // As EventStoreDB would for an offset inside a record: this position is not one of the log's.
    const store = storeWith(harness.store, {
      readAll: (options) =>
        options?.after === refused
          ? Promise.reject(new InvalidPositionError(refused))
          : harness.store.readAll(options),
    });
    const server = await harness.startServer({ store });
    const client = await TestClient.open(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(user), since: refused.toString() }),
    );
    await client.untilFrame((frame) => frame.type === 'resync', 'resync');
    const [live] = await harness.append([[user]], { firstN: 3 });
    await client.untilFrame((frame) => frame.data?.n === 3, 'the live frame');

    expect(client.frames[0]).toEqual({ type: 'resync' });
    expect(client.positions()).toEqual([live]);
    expect(client.closedWith).toBeUndefined();
    expect(harness.logs.some((line) => line.msg === 'realtime resume failed')).toBe(false);
    await client.close();
    await server.close();
  });

  it('still closes with 1011 when the store fails for another reason', async () => {
    const user = randomUUID();
    const [since] = await harness.append([[user], [user]], { firstN: 1 });
    const store = storeWith(harness.store, {
      readAll: () => Promise.reject(new Error('simulated store failure')),
    });
    const server = await harness.startServer({ store });
    const client = await TestClient.open(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(user), since: String(since) }),
    );
    expect((await client.untilClosed()).code).toBe(1011);
    await server.close();
  });
});
