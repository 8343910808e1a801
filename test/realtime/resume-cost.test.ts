import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendForeignBacklog } from '../../bench/support/foreign-backlog.js';
import type { LogStore } from '../../src/log.js';
import { setCheckpoint } from '../../src/read-models/checkpoints.js';
import { frameFor } from '../../src/realtime/delivery/frames.js';
import { RESUME_INDEX, resumeIndexProjection } from '../../src/read-models/resume-index/projection.js';
import { TestClient } from '../support/ws-client.js';
import { createHarness, realtimeUrl, storeWith, type Harness } from './support/harness.js';

/** What a resume reads from the store: the user's own events, whatever else the gap holds. */
let harness: Harness;
beforeAll(async () => {
  harness = await createHarness();
});
afterAll(async () => {
  await harness?.cleanup();
});

/** A message in a direct conversation of `userId`, as the domain writes it. */
async function messageTo(store: LogStore, userId: string, conversationId: string, seq: number) {
  const other = randomUUID();
  const result = await store.appendToStream(`conversation-${conversationId}`, [
    {
      id: randomUUID(),
      type: 'MessageSent',
      data: {
        conversationId,
        messageId: randomUUID(),
        seq,
        senderId: other,
        body: `for you ${seq}`,
        recipientIds: [userId, other].sort(),
        sentAt: new Date().toISOString(),
      },
    },
  ]);
  return result.position;
}

const resumeIndex = resumeIndexProjection(frameFor);

/** The resume index as its projection leaves it, up to the head. */
async function project(store: LogStore): Promise<void> {
  let after = 0n;
  for (;;) {
    const events = await store.readAll({ after, maxCount: 5000 });
    if (events.length === 0) break;
    const client = await harness.pool.connect();
    try {
      await resumeIndex.applyBatch(
        client,
        events.filter((event) => resumeIndex.handles.has(event.type)),
      );
    } finally {
      client.release();
    }
    after = events.at(-1)!.position;
  }
  await setCheckpoint(harness.pool, RESUME_INDEX, after);
}

describe('the cost of a resume', () => {
  it("reads the user's events from the index, not the foreign backlog", async () => {
    let read = 0;
    const counting = storeWith(harness.store, {
      readAll: async (options) => {
        const events = await harness.store.readAll(options);
        read += events.length;
        return events;
      },
      readStream: async (name, options) => {
        const events = await harness.store.readStream(name, options);
        read += events.length;
        return events;
      },
    });
    const server = await harness.startServer({ store: counting, frameFor, replayLimit: 50 });
    const user = randomUUID();
    const since = await harness.store.headPosition();
    const conversationId = randomUUID();
    const mine: bigint[] = [];
    for (let seq = 1; seq <= 5; seq++) mine.push(await messageTo(harness.store, user, conversationId, seq));
    await appendForeignBacklog(harness.pool, 20_000);
    for (let seq = 6; seq <= 10; seq++) mine.push(await messageTo(harness.store, user, conversationId, seq));
    await project(harness.store);

    read = 0;
    const client = await TestClient.open(
      realtimeUrl(server.port, { access_token: await harness.tokenFor(user), since: since.toString() }),
    );
    await client.until(() => client.positions().length === 10, 'the ten missed frames');
    expect(client.positions()).toEqual(mine);
    // Surveyed once, replayed once: twice the user's events, nothing of the 20,000 others.
    expect(read).toBeLessThanOrEqual(2 * mine.length);
    await client.close();
    await server.close();
  }, 60_000);
});
