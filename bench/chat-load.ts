import { runInChild } from './support/fork.js';
import type { LoadRequest, RateResult } from './support/load-generator.js';
import { withDatabase } from './support/database.js';
import { startBenchSystem } from './support/system.js';
import { ms, printTable } from './support/table.js';

/** What "sustained" means: every acknowledged send delivered once, p99 within this. */
const SUSTAINED_P99_MS = 50;

function numbers(value: string | undefined, fallback: readonly number[]): readonly number[] {
  return value ? value.split(',').map(Number) : fallback;
}

/**
 * 50 sender→receiver pairs through the whole system (all roles in this process, the load
 * generator in its own): fixed send rates over HTTP, each frame timed from just before its POST.
 */
export async function chatLoad(): Promise<void> {
  const rates = numbers(process.env.BENCH_RATES, [250, 1000, 2500, 5000, 10000]);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  console.log(
    `\n# chat load: 50 pairs, POST /v1/messages over 32 keep-alive connections → WebSocket, ${seconds} s per rate`,
  );
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
      });
    } finally {
      await system.stop();
    }
  });
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
  console.log(
    `highest rate sustained (all acknowledged and delivered once, p99 ≤ ${SUSTAINED_P99_MS} ms): ${sustained.length ? Math.max(...sustained) : 'none'}/s`,
  );
}
