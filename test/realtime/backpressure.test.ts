import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeServer } from '../../src/realtime/server.js';
import { createHarness, realtimeUrl, type Harness } from './support/harness.js';
import { TestClient } from '../support/ws-client.js';

const MAX_BACKPRESSURE = 256 * 1024;
/** Each test frame carries this much padding, so a batch stays well under the limit. */
const FRAME_PAD = 32 * 1024;
const BATCH = 4;

describe('realtime backpressure', () => {
  let harness: Harness;
  let server: RealtimeServer;

  beforeAll(async () => {
    harness = await createHarness();
    server = await harness.startServer({ maxBackpressureBytes: MAX_BACKPRESSURE });
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

  it('closes a client that does not read, which then resumes with since without loss', async () => {
    const [slow, reader] = [randomUUID(), randomUUID()];
    const since = await harness.store.headPosition();
    const stalled = await connect(slow);
    const healthy = await connect(reader);
    stalled.pauseReading();

    // Batches go out until the server gives up on the stalled client; each waits for the healthy
    // client, which keeps up and so never reaches the limit.
    const closedSlow = (line: { msg: string; userId?: unknown }) =>
      line.msg === 'realtime connection closed' && line.userId === slow;
    let n = 0;
    while (!harness.logs.some(closedSlow)) {
      if (n > 4000) throw new Error('the stalled client was never closed');
      await harness.append(
        Array.from({ length: BATCH }, () => [slow, reader]),
        { firstN: n, pad: FRAME_PAD },
      );
      n += BATCH;
      await healthy.until(() => healthy.frames.length === n, `frame ${n} at the healthy client`);
    }
    expect(harness.logs.some((line) => line.msg.includes('backpressure limit') && line.userId === slow)).toBe(
      true,
    );

    // The stalled client reads what reached it, then sees the connection dropped (no close frame).
    stalled.resumeReading();
    expect((await stalled.untilClosed()).code).toBe(1006);
    const seen = stalled.positions();
    expect(seen.length).toBeLessThan(n);
    const last = seen.at(-1) ?? since;

    const resumed = await connect(slow, last);
    const [barrier] = await harness.append([[slow, reader]], { firstN: 1_000_000 });
    await resumed.untilFrame((frame) => frame.data?.n === 1_000_000, 'the barrier after the resume');

    const expected = (await harness.store.readAll({ after: since, maxCount: 100_000 })).map(
      (event) => event.position,
    );
    expect(expected.at(-1)).toBe(barrier);
    expect([...seen, ...resumed.positions()]).toEqual(expected);
    expect(healthy.closedWith).toBeUndefined();
    await Promise.all([resumed.close(), healthy.close()]);
  });
});
