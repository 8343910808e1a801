import { createPostgresEventStore } from '../src/eventstore/postgres/index.js';
import { createTestDatabase } from '../test/support/postgres.js';
import { startTestSystem } from '../test/support/system.js';
import { measureAppends } from './append-throughput.js';
import { measureDeliveryLatency } from './delivery-latency.js';

/** Benchmarks against fresh databases on the local PostgreSQL (or TEST_DATABASE_URL's server). */
async function main(): Promise<void> {
  console.log('# PostgreSQL event store: appends of one event, expected revision checked');
  const storeDb = await createTestDatabase('chat_bench');
  try {
    const store = await createPostgresEventStore({ connectionString: storeDb.url });
    try {
      await measureAppends(store, 1, 200); // warm-up
      for (const writers of [1, 8]) {
        const result = await measureAppends(store, writers, writers === 1 ? 3000 : 600);
        console.log(
          `appends/s  writers=${writers}  ${result.appendsPerSecond.toFixed(0)}  (${result.appends} appends in ${result.seconds.toFixed(2)} s)`,
        );
      }
    } finally {
      await store.close();
    }
  } finally {
    await storeDb.drop();
  }

  console.log('\n# SendMessage → WebSocket delivery through the running system (all roles, one process)');
  const systemDb = await createTestDatabase('chat_bench');
  try {
    const system = await startTestSystem(systemDb.url);
    try {
      const result = await measureDeliveryLatency(system, { messages: 1000, ratePerSecond: 100 });
      console.log(
        `delivery latency  rate=${result.ratePerSecond}/s  n=${result.messages}  p50=${result.p50Ms.toFixed(1)} ms  p99=${result.p99Ms.toFixed(1)} ms  max=${result.maxMs.toFixed(1)} ms`,
      );
    } finally {
      await system.stop();
    }
  } finally {
    await systemDb.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
