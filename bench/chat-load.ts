import { runInChild } from './support/fork.js';
import type { LoadRequest, RateResult } from './support/load-generator.js';
import { withDatabase } from './support/database.js';
import { startBenchSystem } from './support/system.js';
import { ms, printTable } from './support/table.js';

/** What "sustained" means: every acknowledged send delivered once, p99 within this. */
const SUSTAINED_P99_MS = 50;

type Transport = LoadRequest['transport'];
const HOW: Record<Transport, string> = {
  http: 'POST /v1/messages over 32 keep-alive connections',
  socket: "the send command on each sender's WebSocket",
};

function numbers(value: string | undefined, fallback: readonly number[]): readonly number[] {
  return value ? value.split(',').map(Number) : fallback;
}

/**
 * 50 sender→receiver pairs through the whole system (all roles in this process, the load
 * generator in its own): fixed send rates, each frame timed from just before its send; once with
 * senders on HTTP, once with senders on their WebSocket (`BENCH_TRANSPORTS=http` or `socket` for
 * one), each on a fresh database.
 */
export async function chatLoad(): Promise<void> {
  const rates = numbers(process.env.BENCH_RATES, [250, 1000, 2500, 5000, 10000]);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const transports = (process.env.BENCH_TRANSPORTS ?? 'http,socket').split(',') as Transport[];
  const sustainedBy = new Map<Transport, string>();
  const resultsBy = new Map<Transport, readonly RateResult[]>();
  for (const transport of transports) {
    console.log(`\n# chat load: 50 pairs, ${HOW[transport]} → WebSocket, ${seconds} s per rate`);
    const results = await withDatabase('bench_chat', async (url) => {
      const system = await startBenchSystem(url);
      try {
        return await runInChild<LoadRequest, RateResult[]>('load-generator', {
          httpPort: system.httpPort!,
          realtimePort: system.realtimePort!,
          pairs: 50,
          rates,
          seconds,
          giveUpAboveP99Ms: 5_000,
          transport,
        });
      } finally {
        await system.stop();
      }
    });
    printResults(results);
    resultsBy.set(transport, results);
    for (const rate of rates.slice(results.length))
      console.log(`${rate}/s: skipped (a lower rate already failed)`);
    const sustained = results
      .filter(
        (result) =>
          result.acknowledged === result.sent &&
          result.lost === 0 &&
          result.duplicated === 0 &&
          result.p99Ms <= SUSTAINED_P99_MS,
      )
      .map((result) => result.rate);
    sustainedBy.set(transport, sustained.length ? `${Math.max(...sustained)}/s` : 'none');
  }
  console.log('\nside by side: delivered/s, p50 / p99 ms');
  printTable(
    ['rate/s', ...transports],
    rates.map((rate) => [
      rate,
      ...transports.map((transport) => {
        const result = resultsBy.get(transport)?.find((each) => each.rate === rate);
        return result
          ? `${result.deliveredPerSecond.toFixed(0)}, ${ms(result.p50Ms)} / ${ms(result.p99Ms)}`
          : '-';
      }),
    ]),
  );
  console.log(`highest rate sustained (all acknowledged and delivered once, p99 ≤ ${SUSTAINED_P99_MS} ms):`);
  printTable(
    ['senders on', 'sustained'],
    [...sustainedBy].map(([transport, rate]) => [transport, rate]),
  );
}

function printResults(results: readonly RateResult[]): void {
  printTable(
    [
      'rate/s',
      'sent',
      'acked',
      'errors',
      'delivered',
      'lost',
      'dup',
      'delivered/s',
      'p50 ms',
      'p99 ms',
      'max ms',
    ],
    results.map((result) => [
      result.rate,
      result.sent,
      result.acknowledged,
      Object.entries(result.errors)
        .map(([status, count]) => `${status}×${count}`)
        .join(' ') || '0',
      result.delivered,
      result.lost,
      result.duplicated,
      result.deliveredPerSecond.toFixed(0),
      ms(result.p50Ms),
      ms(result.p99Ms),
      ms(result.maxMs),
    ]),
  );
}
