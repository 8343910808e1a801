import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { openLog, type LogStore } from '../src/log.js';
import { createPostgresEventStore } from '../src/eventstore/postgres/index.js';
import { frameFor } from '../src/realtime/delivery/frames.js';
import { logScanGapReader } from '../src/realtime/delivery/gap-reader.js';
import { checkpointPositions, setCheckpoint } from '../src/read-models/checkpoints.js';
import { signUp } from './support/client.js';
import { withDatabase } from './support/database.js';
import { appendForeignBacklog } from './support/foreign-backlog.js';
import { startBenchSystem } from './support/system.js';
import { ms, printTable } from './support/table.js';

const OWN = 100;
const FOREIGN = Number(process.env.BENCH_FOREIGN ?? 1_000_000);
const RUNS = 5;

/**
 * A user offline while a million events of others were written resumes with `since`: the time
 * from opening the socket to their 100th missed frame. The backlog is bulk-inserted into the log
 * and the resume index (as the projection would have left it), with the system stopped; then the
 * system starts and the user resumes, several times. For contrast, the time the log-scan fallback
 * (no index) takes to find the same 100 events.
 */
export async function resumeBench(): Promise<void> {
  console.log(`\n# resume: ${OWN} missed events behind ${FOREIGN.toLocaleString('en')} events of others`);
  await withDatabase('bench_resume', async (url) => {
    let system = await startBenchSystem(url);
    const http = new Pool(`http://127.0.0.1:${system.httpPort}`);
    const bob = await signUp(http, `bob_${Date.now().toString(36)}`);
    await http.close();
    const since = await system.store.headPosition();
    await system.stop();

    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const store = openLog(await createPostgresEventStore({ connectionString: url }), console);
    try {
      const conversationId = randomUUID();
      await ownMessages(store, bob.userId, conversationId, 1, OWN / 2);
      const filled = performance.now();
      await appendForeignBacklog(pool, FOREIGN);
      await ownMessages(store, bob.userId, conversationId, OWN / 2 + 1, OWN);
      const head = await store.headPosition();
      await indexInBulk(pool, since, head);
      console.log(`(backlog written and indexed in ${((performance.now() - filled) / 1000).toFixed(1)} s)`);

      system = await startBenchSystem(url);
      const times: number[] = [];
      try {
        for (let run = 0; run < RUNS; run++)
          times.push(await resumeOnce(system.realtimePort!, bob.token, since));
      } finally {
        await system.stop();
      }
      const scanStarted = performance.now();
      const scan = logScanGapReader({ store, frameFor });
      let found = 0;
      for (let cursor = since; cursor < head;) {
        const page = await scan(bob.userId, cursor, head, OWN + 1);
        found += page.events.length;
        if (page.scannedTo <= cursor) break;
        cursor = page.scannedTo;
      }
      const scanMs = performance.now() - scanStarted;
      times.sort((a, b) => a - b);
      printTable(
        ['resume', 'frames', 'min ms', 'median ms', 'max ms'],
        [
          ['resume index', OWN, ms(times[0]!), ms(times[Math.floor(times.length / 2)]!), ms(times.at(-1)!)],
          ['log scan (fallback)', found, ms(scanMs), '', ''],
        ],
      );
    } finally {
      await store.close();
      await pool.end();
    }
  });
}

/** Messages to `userId` from someone else in one direct conversation, numbered `from`..`to`. */
async function ownMessages(
  store: LogStore,
  userId: string,
  conversationId: string,
  from: number,
  to: number,
) {
  const other = randomUUID();
  for (let seq = from; seq <= to; seq++) {
    await store.appendToStream(`conversation-${conversationId}`, [
      {
        id: randomUUID(),
        type: 'MessageSent',
        data: {
          conversationId,
          messageId: randomUUID(),
          seq,
          senderId: other,
          body: `missed ${seq}`,
          recipientIds: [userId, other].sort(),
          sentAt: new Date().toISOString(),
        },
      },
    ]);
  }
}

/** The resume index as its projection would leave it after (since, head], and every checkpoint at head. */
async function indexInBulk(pool: pg.Pool, since: bigint, head: bigint): Promise<void> {
  await pool.query(
    `INSERT INTO user_event_positions (user_id, position, stream_name, revision)
     SELECT r.user_id::uuid, e.position, e.stream_name, e.revision
       FROM event_store.events e, jsonb_array_elements_text(e.data->'recipientIds') AS r (user_id)
      WHERE e.position > $1 AND e.type = 'MessageSent'
     ON CONFLICT DO NOTHING`,
    [since.toString()],
  );
  for (const name of (await checkpointPositions(pool)).keys()) await setCheckpoint(pool, name, head);
  await pool.query('VACUUM ANALYZE user_event_positions');
}

/** Opens a socket with `since` and resolves with the milliseconds until the last missed frame. */
function resumeOnce(port: number, token: string, since: bigint): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = new WebSocket(`ws://127.0.0.1:${port}/v1/realtime?access_token=${token}&since=${since}`);
    let frames = 0;
    socket.on('message', (raw: Buffer) => {
      if (raw.includes('"type":"resync"')) reject(new Error('resync instead of a replay'));
      if (!raw.includes('"type":"message.sent"')) return;
      frames += 1;
      if (frames === OWN) {
        const elapsed = performance.now() - started;
        socket.close();
        resolve(elapsed);
      }
    });
    socket.once('error', reject);
  });
}
