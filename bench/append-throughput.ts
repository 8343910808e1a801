import { randomUUID } from 'node:crypto';
import { STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { createPostgresEventStore } from '../src/eventstore/postgres/index.js';
import { withDatabase } from './support/database.js';
import { printTable } from './support/table.js';

/** Appends one event with the stream's exact expected revision (undefined: a new stream). */
type AppendOne = (
  stream: string,
  revision: bigint | undefined,
  data: Record<string, unknown>,
) => Promise<unknown>;

/** `writers` concurrent loops, each appending one event at a time to its own stream. */
async function appendsPerSecond(
  append: AppendOne,
  writers: number,
  appendsPerWriter: number,
): Promise<number> {
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      const stream = `bench-${writer}-${randomUUID()}`;
      for (let i = 0; i < appendsPerWriter; i++) {
        await append(stream, i === 0 ? undefined : BigInt(i - 1), { writer, i });
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return (writers * appendsPerWriter) / seconds;
}

async function measure(append: AppendOne): Promise<Map<number, number>> {
  await appendsPerSecond(append, 8, 100); // warm-up
  const figures = new Map<number, number>();
  for (const writers of [1, 8])
    figures.set(writers, await appendsPerSecond(append, writers, writers === 1 ? 3000 : 1000));
  return figures;
}

/** Ours against Emmett's PostgreSQL event store, same shape of load, each on its own database. */
export async function appendThroughput(): Promise<void> {
  console.log(
    '\n# event store: single-event appends with the exact expected revision, each writer on its own streams',
  );
  const ours = await withDatabase('bench_ours', async (url) => {
    const store = await createPostgresEventStore({ connectionString: url });
    try {
      const figures = await measure((stream, revision, data) =>
        store.appendToStream(stream, [{ id: randomUUID(), type: 'BenchEvent', data }], {
          expectedRevision: revision ?? 'no_stream',
        }),
      );
      // The whole log, read in pages of 1,000.
      const started = process.hrtime.bigint();
      let after = 0n;
      let read = 0;
      for (;;) {
        const page = await store.readAll({ after, maxCount: 1000 });
        if (page.length === 0) break;
        read += page.length;
        after = page.at(-1)!.position;
      }
      const readRate = read / (Number(process.hrtime.bigint() - started) / 1e9);
      return { figures, read, readRate };
    } finally {
      await store.close();
    }
  });
  const emmett = await withDatabase('bench_emmett', async (url) => {
    // Our own pool, so that it is surely ended before the database is dropped.
    const pool = new pg.Pool({ connectionString: url });
    pool.on('error', () => undefined);
    const store = getPostgreSQLEventStore(url, { connectionOptions: { pooled: true, pool } });
    try {
      return await measure((stream, revision, data) =>
        store.appendToStream(stream, [{ type: 'BenchEvent', data }], {
          expectedStreamVersion: revision === undefined ? STREAM_DOES_NOT_EXIST : revision + 1n,
        }),
      );
    } finally {
      await store.close();
      await pool.end();
    }
  });
  printTable(
    ['writers', 'ours appends/s', 'Emmett appends/s', 'ours / Emmett'],
    [1, 8].map((writers) => {
      const mine = ours.figures.get(writers)!;
      const theirs = emmett.get(writers)!;
      return [writers, mine.toFixed(0), theirs.toFixed(0), `${(mine / theirs).toFixed(2)}×`];
    }),
  );
  console.log(
    `reading the whole log (${ours.read} events, pages of 1,000): ${ours.readRate.toFixed(0)} events/s`,
  );
}
