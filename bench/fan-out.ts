import type { FanOutRequest, FanOutResult } from './support/fanout-generator.js';
import { withDatabase } from './support/database.js';
import { runInChild } from './support/fork.js';
import { startBenchSystem } from './support/system.js';
import { ms, printTable } from './support/table.js';

/** One group of 100 members with 5 sockets each; one sender at 200 messages/s for 10 s. */
export async function fanOut(): Promise<void> {
  const rate = Number(process.env.BENCH_FANOUT_RATE ?? 200);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  console.log(
    `\n# fan-out: one group of 100 members × 5 sockets, one sender at ${rate} messages/s for ${seconds} s`,
  );
  const result = await withDatabase('bench_fanout', async (url) => {
    const system = await startBenchSystem(url);
    try {
      return await runInChild<FanOutRequest, FanOutResult>('fanout-generator', {
        httpPort: system.httpPort!,
        realtimePort: system.realtimePort!,
        members: 100,
        connectionsPerMember: 5,
        rate,
        seconds,
      });
    } finally {
      await system.stop();
    }
  });
  printTable(
    ['messages', 'acked', 'frames expected', 'frames', 'missing', 'frames/s', 'p50 ms', 'p99 ms', 'max ms'],
    [
      [
        result.messages,
        result.acknowledged,
        result.expectedFrames,
        result.frames,
        result.missing,
        result.framesPerSecond.toFixed(0),
        ms(result.p50Ms),
        ms(result.p99Ms),
        ms(result.maxMs),
      ],
    ],
  );
}
