import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningSystem } from '../src/system.js';
import { httpClient, signUp } from '../test/support/http-client.js';
import { TestClient, realtimeUrl } from '../test/support/ws-client.js';

export interface LatencyResult {
  readonly messages: number;
  readonly ratePerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * Sends messages at a fixed rate through the running system (HTTP command → log → realtime node)
 * and measures, for each, the time from starting the POST to the recipient's frame arriving.
 */
export async function measureDeliveryLatency(
  system: RunningSystem,
  options: { messages: number; ratePerSecond: number },
): Promise<LatencyResult> {
  const http = httpClient(`http://127.0.0.1:${system.httpPort}`);
  const sender = await signUp(http, `bench_sender_${process.pid}`);
  const receiver = await signUp(http, `bench_receiver_${process.pid}`);
  const client = await TestClient.open(realtimeUrl(system.realtimePort!, receiver.token));
  const sentAt = new Map<string, bigint>();
  const latencies: number[] = [];
  client.socket.on('message', (raw) => {
    const frame = JSON.parse(raw.toString()) as { type: string; data?: { clientMessageId?: string } };
    const id = frame.data?.clientMessageId;
    const start = id === undefined ? undefined : sentAt.get(id);
    if (frame.type === 'message.sent' && start !== undefined) {
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  });
  const interval = 1000 / options.ratePerSecond;
  const begin = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < options.messages; i++) {
    const due = begin + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const clientMessageId = `bench-${i}`;
    sentAt.set(clientMessageId, process.hrtime.bigint());
    sends.push(
      http.post(
        '/v1/messages',
        { to: receiver.username, body: `message ${i}`, clientMessageId },
        { token: sender.token },
      ),
    );
  }
  await Promise.all(sends);
  const deadline = Date.now() + 10_000;
  while (latencies.length < options.messages && Date.now() < deadline) await sleep(20);
  await client.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  if (sorted.length < options.messages) {
    throw new Error(`only ${sorted.length} of ${options.messages} messages were delivered`);
  }
  return {
    messages: sorted.length,
    ratePerSecond: options.ratePerSecond,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? NaN,
  };
}
