import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, createRealtimeMetrics } from '../../src/http/metrics.js';
import type { RealtimeServer } from '../../src/realtime/server.js';
import { createHarness, realtimeUrl, type Harness } from '../realtime/support/harness.js';
import { TestClient } from '../support/ws-client.js';
import { sample } from './support.js';

const metrics = createMetrics();
let harness: Harness;
let server: RealtimeServer;

beforeAll(async () => {
  harness = await createHarness();
  server = await harness.startServer({
    maxBackpressureBytes: 256 * 1024,
    metrics: createRealtimeMetrics(metrics),
  });
});

afterAll(async () => {
  await harness?.cleanup();
});

const closes = async () =>
  sample(await metrics.registry.metrics(), 'chat_realtime_backpressure_closes_total', {
    reason: 'buffer_limit',
  }) ?? 0;

describe('realtime backpressure metrics', () => {
  it('count a socket closed for not reading, and only that one', async () => {
    const [slow, reader] = [randomUUID(), randomUUID()];
    const connect = async (userId: string) =>
      TestClient.open(realtimeUrl(server.port, { access_token: await harness.tokenFor(userId) }));
    const stalled = await connect(slow);
    const healthy = await connect(reader);
    stalled.pauseReading();

    // Big frames go out until the server gives up on the client that reads nothing.
    let n = 0;
    while ((await closes()) === 0) {
      if (n > 4000) throw new Error('the stalled client was never closed');
      await harness.append([[slow, reader]], { firstN: n, pad: 32 * 1024 });
      n += 1;
      await healthy.until(() => healthy.frames.length === n, `frame ${n} at the healthy client`);
    }
    stalled.resumeReading();
    await stalled.untilClosed();
    const text = await metrics.registry.metrics();
    expect(sample(text, 'chat_realtime_backpressure_closes_total', { reason: 'buffer_limit' })).toBe(1);
    expect(sample(text, 'chat_realtime_frames_sent_total', { type: 'test.happened' })).toBeGreaterThanOrEqual(
      2 * n - 1,
    );
    expect(sample(text, 'chat_realtime_connections')).toBe(1);
    expect(healthy.closedWith).toBeUndefined();
    await healthy.close();
  });
});
