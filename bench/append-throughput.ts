import { randomUUID } from 'node:crypto';
import type { EventStore } from '../src/eventstore/port.js';

export interface ThroughputResult {
  readonly writers: number;
  readonly appends: number;
  readonly seconds: number;
  readonly appendsPerSecond: number;
}

/** `writers` concurrent loops, each appending one event at a time to its own streams. */
export async function measureAppends(
  store: EventStore,
  writers: number,
  appendsPerWriter: number,
): Promise<ThroughputResult> {
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      const stream = `bench-${writer}-${randomUUID()}`;
      for (let i = 0; i < appendsPerWriter; i++) {
        await store.appendToStream(stream, [{ id: randomUUID(), type: 'BenchEvent', data: { writer, i } }], {
          expectedRevision: i === 0 ? 'no_stream' : BigInt(i - 1),
        });
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const appends = writers * appendsPerWriter;
  return { writers, appends, seconds, appendsPerSecond: appends / seconds };
}
