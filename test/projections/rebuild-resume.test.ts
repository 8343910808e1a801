import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationsProjection } from '../../src/read-models/conversations/projection.js';
import { historyProjection } from '../../src/read-models/history/projection.js';
import { checkpointPosition } from '../../src/read-models/checkpoints.js';
import {
  RebuildAlreadyRunning,
  rebuildProjection,
  type RebuildProgress,
} from '../../src/projections/rebuild.js';
import { shadowPositions } from '../../src/projections/shadow.js';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem, TEST_JWT_SECRET } from '../support/system.js';
import { chatHistory, freshReplay, rebuildSchemas, tableRows } from './rebuild-support.js';

const run = promisify(execFile);
let db: TestDatabase;
let system: RunningSystem;
let http: HttpClient;
let chat: Awaited<ReturnType<typeof chatHistory>>;

beforeAll(async () => {
  db = await createTestDatabase('rebuild');
  system = await startTestSystem(db.url);
  http = httpClient(`http://127.0.0.1:${system.httpPort}`);
  chat = await chatHistory(http, 'rb');
});
afterAll(async () => {
  await system?.stop();
  await db?.drop();
});

const history = (conversationId: string, token: string, minPosition?: string) =>
  http.get(`/v1/conversations/${conversationId}/messages?limit=200`, {
    token,
    headers: minPosition ? { 'x-min-position': minPosition } : {},
  });

describe('a blue/green rebuild', () => {
  it('stopped after some batches, leaves the live tables serving and resumes from its shadow', async () => {
    const head = await system.store.headPosition();
    const conversations = (minPosition = head) =>
      http.get<{ items: Record<string, unknown>[] }>('/v1/conversations', {
        token: chat.bob.token,
        headers: { 'x-min-position': minPosition.toString() },
      });
    const before = await conversations();
    expect(before.body.items).toHaveLength(2);

    const stop = new AbortController();
    let copied = 0;
    await expect(
      rebuildProjection(conversationsProjection, {
        store: system.store,
        pool: system.pool,
        batchSize: 10,
        signal: stop.signal,
        onProgress: (progress) => {
          if (progress.phase === 'copying' && ++copied === 3)
            stop.abort(new Error('stopped after 3 batches'));
        },
      }),
    ).rejects.toThrow('stopped after 3 batches');
    const shadow = (await shadowPositions(system.pool, [conversationsProjection])).get('conversations')!;
    expect(shadow).toBeGreaterThan(0n);
    expect(shadow).toBeLessThan(head);
    expect(await rebuildSchemas(system.pool)).toEqual(['rebuild_conversations']);

    // The live read model still answers in full, and still follows the log.
    expect((await conversations()).body).toEqual(before.body);
    const sent = await http.post(
      '/v1/messages',
      { to: chat.bob.username, body: 'during the rebuild' },
      { token: chat.ada.token },
    );
    const during = await conversations(BigInt(sent.body.position as string));
    expect(during.body.items[0]).toMatchObject({
      lastMessage: expect.objectContaining({ body: 'during the rebuild' }),
    });

    const progress: RebuildProgress[] = [];
    const position = await rebuildProjection(conversationsProjection, {
      store: system.store,
      pool: system.pool,
      batchSize: 10,
      onProgress: (step) => progress.push(step),
    });
    expect(progress[0]).toMatchObject({ phase: 'started', from: shadow });
    expect(progress.at(-1)).toMatchObject({ phase: 'swapped', position });
    expect(position).toBe(BigInt(sent.body.position as string));
    expect(await rebuildSchemas(system.pool)).toEqual([]);
    expect(await checkpointPosition(system.pool, 'conversations')).toBe(position);

    expect(await tableRows(system.pool, conversationsProjection)).toEqual(
      await freshReplay(system.store, conversationsProjection),
    );
    expect((await conversations(position)).body).toEqual(during.body);
  });

  it('killed (SIGKILL) in the middle of a batch, resumes from its last committed batch', async () => {
    const before = await history(
      chat.groupId,
      chat.bob.token,
      (await system.store.headPosition()).toString(),
    );
    expect(before.body.items).toHaveLength(30);
    const child = spawn('node_modules/.bin/vite-node', ['test/projections/rebuild-crash-child.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        JWT_SECRET: TEST_JWT_SECRET,
        BATCH_SIZE: '10',
        HANG_AT_BATCH: '4',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    let output = '';
    child.stdout.setEncoding('utf8');
    for await (const chunk of child.stdout) {
      output += chunk as string;
      if (output.includes('hanging') || output.includes('finished')) break;
    }
    expect(output).toContain('hanging');

    // Mid-rebuild: reads answer from the live tables, and a second rebuild is refused.
    expect((await history(chat.groupId, chat.bob.token)).body).toEqual(before.body);
    await expect(
      rebuildProjection(historyProjection, { store: system.store, pool: system.pool }),
    ).rejects.toBeInstanceOf(RebuildAlreadyRunning);

    child.kill('SIGKILL');
    await exited;
    const shadow = (await shadowPositions(system.pool, [historyProjection])).get('history')!;
    const head = await system.store.headPosition();
    expect(shadow).toBeGreaterThan(0n);
    expect(shadow).toBeLessThan(head);
    // The killed batch rolled back: the shadow holds exactly the messages up to its checkpoint.
    const shadowRows = await system.pool.query<{ n: number; last: string | null }>(
      'SELECT count(*)::int AS n, max(position)::text AS last FROM rebuild_history.messages',
    );
    expect(BigInt(shadowRows.rows[0]!.last ?? '0')).toBeLessThanOrEqual(shadow);

    // The killed process's session (and its lock) goes when PostgreSQL notices; then the CLI resumes.
    let resumed: { stdout: string; stderr: string } | undefined;
    for (let attempt = 0; !resumed; attempt++) {
      try {
        resumed = await run(
          'node_modules/.bin/vite-node',
          ['src/main.ts', 'projections', 'rebuild', 'history'],
          {
            env: { ...process.env, DATABASE_URL: db.url, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent' },
          },
        );
      } catch (error) {
        if (attempt > 50 || !String((error as { stderr?: string }).stderr).includes('already running'))
          throw error;
        await sleep(100);
      }
    }
    expect(resumed.stderr).toContain(`history: resuming an interrupted rebuild at position ${shadow}`);
    expect(resumed.stdout).toMatch(/^rebuilt history up to position \d+$/m);
    expect(await rebuildSchemas(system.pool)).toEqual([]);
    expect(await tableRows(system.pool, historyProjection)).toEqual(
      await freshReplay(system.store, historyProjection),
    );
    expect((await history(chat.groupId, chat.bob.token)).body).toEqual(before.body);
  });
  it('swaps in while messages keep arriving and the live projector keeps writing', async () => {
    let last = '0';
    let sending = true;
    const sender = (async () => {
      for (let i = 1; sending || i <= 10; i++) {
        const sent = await http.post(
          `/v1/conversations/${chat.groupId}/messages`,
          { body: `while rebuilding ${i}` },
          { token: chat.bob.token },
        );
        expect(sent.status).toBe(201);
        last = sent.body.position as string;
      }
    })();
    await rebuildProjection(historyProjection, { store: system.store, pool: system.pool, batchSize: 5 });
    sending = false;
    await sender;

    // Once the live projector has caught up with the last send, the rows are a fresh replay's.
    const read = await history(chat.groupId, chat.bob.token, last);
    expect(read.status).toBe(200);
    expect(await tableRows(system.pool, historyProjection)).toEqual(
      await freshReplay(system.store, historyProjection),
    );
  });
});
