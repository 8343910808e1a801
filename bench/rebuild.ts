import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { CatalogEvent } from '../src/domain/catalog.js';
import type { NewEvent } from '../src/eventstore/port.js';
import { createPostgresEventStore } from '../src/eventstore/postgres/index.js';
import { openLog } from '../src/log.js';
import { openPersonalDataKeys } from '../src/platform/personal-data-keys.js';
import { allProjections } from '../src/projections/all-projections.js';
import { rebuildProjection } from '../src/projections/rebuild.js';
import { migrateReadModels } from '../src/read-models/migrations.js';
import { withDatabase } from './support/database.js';
import { printTable } from './support/table.js';

const MESSAGES = Number(process.env.BENCH_REBUILD_EVENTS ?? 200_000);
const APPEND_SIZE = 1000;

/**
 * A log of one busy direct conversation (the worst shape for a projection that rewrote the same
 * rows event by event), then every projection rebuilt from it. Bodies are sealed as in a
 * deployment, and each rebuild opens them with a cold key cache, as a rebuilding process does.
 */
export async function rebuild(): Promise<void> {
  console.log(
    `\n# rebuild: ${MESSAGES.toLocaleString('en')} messages in one conversation, each projection replayed`,
  );
  const rows = await withDatabase('bench_rebuild', async (url) => {
    const store = await createPostgresEventStore({ connectionString: url });
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      await migrateReadModels(pool);
      const masterKey = randomBytes(32);
      const log = openLog(
        store,
        console,
        await openPersonalDataKeys(pool, masterKey, { writtenByAppends: true }),
      );
      const [alice, bob] = [randomUUID(), randomUUID()];
      const conversationId = randomUUID();
      const stream = `conversation-${conversationId}`;
      const at = new Date().toISOString();
      await log.appendToStream(stream, [
        {
          id: randomUUID(),
          type: 'DirectConversationStarted',
          data: { conversationId, memberIds: [alice, bob], startedAt: at },
        },
      ]);
      for (let first = 1; first <= MESSAGES; first += APPEND_SIZE) {
        const events: NewEvent<CatalogEvent>[] = [];
        for (let seq = first; seq < first + APPEND_SIZE && seq <= MESSAGES; seq++) {
          const senderId = seq % 2 === 0 ? alice : bob;
          events.push({
            id: randomUUID(),
            type: 'MessageSent',
            data: {
              conversationId,
              messageId: randomUUID(),
              seq,
              senderId,
              body: `message number ${seq} of a long conversation`,
              clientMessageId: `c-${seq}`,
              recipientIds: [alice, bob],
              sentAt: at,
            },
          });
        }
        await log.appendToStream(stream, events);
      }
      const results: (string | number)[][] = [];
      const only = process.env.BENCH_PROJECTIONS?.split(',');
      for (const projection of allProjections.filter((p) => !only || only.includes(p.name))) {
        const started = process.hrtime.bigint();
        const keys = await openPersonalDataKeys(pool, masterKey);
        const position = await rebuildProjection(projection, { store: openLog(store, console, keys), pool });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        results.push([
          projection.name,
          position.toString(),
          seconds.toFixed(2),
          (Number(position) / seconds).toFixed(0),
        ]);
      }
      return results;
    } finally {
      await pool.end();
      await store.close();
    }
  });
  printTable(['projection', 'events', 'seconds', 'events/s'], rows);
}
