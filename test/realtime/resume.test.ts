import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeServer } from '../../src/realtime/server.js';
import { createHarness, raw, realtimeUrl, storeWith, type Harness } from './support/harness.js';
import { TestClient } from '../support/ws-client.js';

describe('realtime resume with since', () => {
  let harness: Harness;
  let server: RealtimeServer;

  beforeAll(async () => {
    harness = await createHarness();
    server = await harness.startServer();
  });

  afterAll(async () => {
    await harness?.cleanup();
  });

  const connect = async (userId: string, since?: bigint) =>
    TestClient.open(
      realtimeUrl(server.port, {
        access_token: await harness.tokenFor(userId),
        ...(since === undefined ? {} : { since: since.toString() }),
      }),
    );

  const expectExactlyOnceInOrder = (client: TestClient, expected: readonly bigint[]) => {
    const received = client.positions();
    expect(new Set(received).size).toBe(received.length);
    expect(received).toEqual(expected);
  };

  it('replays a gap of thousands of events exactly once, in order, then goes live', async () => {
    const user = randomUUID();
    const other = randomUUID();
    const since = await harness.store.headPosition();
    // 3000 events, two in three for the user, interleaved with others'.
    const audiences = Array.from({ length: 3000 }, (_, index) => (index % 3 === 2 ? [other] : [user]));
    // Missed means handed out by the server's feed before the client comes back (else they are
    // live): a live connection of the other user sees the last one go by.
    const watcher = await connect(other);
    const positions = await harness.append(audiences);
    const missed = positions.filter((_, index) => index % 3 !== 2);
    await watcher.until(() => watcher.frames.length === 1000, 'the last event to go by');
    await watcher.close();

    const client = await connect(user, since);
    await client.until(() => client.frames.length >= missed.length, 'the replay');
    const live = await harness.append([[user], [other], [user]], { firstN: 5000 });
    await client.untilFrame((frame) => frame.data?.n === 5002, 'the live frames');

    expect(client.frames.every((frame) => frame.type === 'test.happened')).toBe(true);
    expectExactlyOnceInOrder(client, [...missed, live[0] as bigint, live[2] as bigint]);
    await client.close();
  });

  it('switches from replay to live without gap or duplicate while events are appended', async () => {
    const user = randomUUID();
    const since = await harness.store.headPosition();
    await harness.append(Array.from({ length: 1500 }, () => [user]));

    // Writers keep appending (concurrently, many small appends) while the client replays and switches.
    let writing = true;
    const writers = Array.from({ length: 4 }, async (_, writer) => {
      for (let round = 0; writing && round < 200; round += 1) {
        await harness.append([[user], ['someone-else'], [user]], {
          firstN: 10_000 + writer * 1000 + round * 3,
        });
      }
    });
    const client = await connect(user, since);
    await client.until(() => client.frames.length >= 1700, 'frames past the replay');
    writing = false;
    await Promise.all(writers);
    const [barrier] = await harness.append([[user]], { firstN: 99_999 });
    await client.untilFrame((frame) => frame.data?.n === 99_999, 'the barrier');

    const expected = (await harness.store.readAll({ after: since, maxCount: 100_000 }))
      .filter((event) => (raw(event).data.audience as string[]).includes(user))
      .map((event) => event.position);
    expect(expected.at(-1)).toBe(barrier);
    expectExactlyOnceInOrder(client, expected);
    await client.close();
  });

  it('holds live frames that arrive during the replay and drops those the replay covered', async () => {
    const user = randomUUID();
    const since = await harness.store.headPosition();
    const before = await harness.append([[user], [user]], { firstN: 1 });

    // A second server whose replay reads wait at a gate, so live frames certainly arrive mid-replay.
    let readStarted!: () => void;
    const started = new Promise<void>((resolve) => (readStarted = resolve));
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const store = harness.store;
    const gated = await harness.startServer({
      store: storeWith(store, {
        async readAll(options) {
          readStarted();
          await gate;
          return store.readAll(options);
        },
      }),
    });
    const url = async (query: Record<string, string> = {}) =>
      realtimeUrl(gated.port, { access_token: await harness.tokenFor(user), ...query });
    const watcher = await TestClient.open(await url());
    const resuming = await TestClient.open(await url({ since: since.toString() }));
    await started;

    // Seen by the feed (the watcher has them) while the replay waits: held for the resuming client.
    const during = await harness.append([[user], [user], [user]], { firstN: 3 });
    await watcher.untilFrame((frame) => frame.data?.n === 5, 'the frames appended during the replay');
    expect(resuming.frames).toEqual([]);
    openGate();
    const after = await harness.append([[user]], { firstN: 6 });
    await resuming.untilFrame((frame) => frame.data?.n === 6, 'the frame appended after the replay');

    expectExactlyOnceInOrder(resuming, [...before, ...during, ...after]);
    await Promise.all([watcher.close(), resuming.close(), gated.close()]);
  });

  it('answers a since beyond the head (no position of this store) with resync, then live frames', async () => {
    const user = randomUUID();
    const head = await harness.store.headPosition();
    const client = await connect(user, head + 1_000_000n);
    await client.untilFrame((frame) => frame.type === 'resync', 'resync');
    const [first] = await harness.append([[user]], { firstN: 1 });
    await client.untilFrame((frame) => frame.data?.n === 1, 'the frame after the head');
    expect(client.frames[0]).toEqual({ type: 'resync' });
    expectExactlyOnceInOrder(client, [first as bigint]);
    await client.close();
  });

  it('replays from the beginning with since=0', async () => {
    const user = randomUUID();
    const positions = await harness.append([[user], [user]], { firstN: 1 });
    const client = await connect(user, 0n);
    await client.until(() => client.frames.length === 2, 'both frames');
    expectExactlyOnceInOrder(client, positions);
    await client.close();
  });
});

describe('realtime resume beyond the replay limit', () => {
  let harness: Harness;
  let server: RealtimeServer;

  beforeAll(async () => {
    harness = await createHarness();
    server = await harness.startServer({ replayLimit: 100 });
  });

  const open = async (userId: string) =>
    TestClient.open(realtimeUrl(server.port, { access_token: await harness.tokenFor(userId) }));

  afterAll(async () => {
    await harness?.cleanup();
  });

  it('sends resync instead of a partial replay, then live frames', async () => {
    const user = randomUUID();
    const since = await harness.store.headPosition();
    const watcher = await open(user);
    await harness.append(Array.from({ length: 150 }, () => [user]));
    await watcher.until(() => watcher.frames.length === 150, 'the events to go by');
    const client = await TestClient.open(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(user), since: since.toString() }),
    );
    await client.untilFrame((frame) => frame.type === 'resync', 'resync');
    const [live] = await harness.append([[user]], { firstN: 777 });
    await client.untilFrame((frame) => frame.data?.n === 777, 'the live frame');

    expect(client.frames[0]).toEqual({ type: 'resync' });
    expect(client.positions()).toEqual([live]);
    await Promise.all([client.close(), watcher.close()]);
  });

  it('replays a gap of exactly the limit', async () => {
    const user = randomUUID();
    const since = await harness.store.headPosition();
    const watcher = await open(user);
    const positions = await harness.append(Array.from({ length: 100 }, () => [user]));
    await watcher.until(() => watcher.frames.length === 100, 'the events to go by');
    const client = await TestClient.open(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(user), since: since.toString() }),
    );
    await client.until(() => client.frames.length === 100, 'the replay');
    expect(client.positions()).toEqual(positions);
    await Promise.all([client.close(), watcher.close()]);
  });
});
