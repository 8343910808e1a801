import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, signUp } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem, TEST_JWT_SECRET } from '../support/system.js';
import { TestClient, realtimeUrl } from '../support/ws-client.js';

const run = promisify(execFile);
let db: TestDatabase;
const systems: RunningSystem[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const system of systems.reverse()) await system.stop();
  await db?.drop();
});

async function start(roles: string) {
  const system = await startTestSystem(db.url, { ROLES: roles });
  systems.push(system);
  return system;
}

/** The command line, run from the TypeScript sources as a separate process. */
function cli(...args: string[]) {
  return run('node_modules/.bin/vite-node', ['src/main.ts', ...args], {
    env: { ...process.env, DATABASE_URL: db.url, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
}

describe('every role alone, each its own system (as its own process would be) on one database', () => {
  it('commands, read-api, two projection runners and realtime cooperate; the CLI rebuilds', async () => {
    const commands = await start('commands');
    const reads = await start('read-api');
    await start('projections');
    await start('projections');
    const realtime = await start('realtime');
    const write = httpClient(`http://127.0.0.1:${commands.httpPort}`);
    const read = httpClient(`http://127.0.0.1:${reads.httpPort}`);

    const ada = await signUp(write, 'ada_roles');
    const bob = await signUp(write, 'bob_roles');
    const live = await TestClient.open(realtimeUrl(realtime.realtimePort!, bob.token));
    const sent = await write.post(
      '/v1/messages',
      { to: 'bob_roles', body: 'across roles' },
      { token: ada.token },
    );
    expect(sent.status).toBe(201);
    await live.next((frame) => frame.type === 'message.sent' && frame.position === sent.body.position);
    await live.close();

    const history = await read.get(`/v1/conversations/${sent.body.conversationId as string}/messages`, {
      token: bob.token,
      headers: { 'x-min-position': sent.body.position as string },
    });
    expect(history.body.items).toEqual([expect.objectContaining({ body: 'across roles' })]);

    // Each process serves only its own role's routes.
    expect(
      (await read.post('/v1/messages', { to: 'ada_roles', body: 'x' }, { token: bob.token })).status,
    ).toBe(404);
    expect((await write.get('/v1/contacts', { token: bob.token })).status).toBe(404);

    // Two projection runners, but one active projector per projection (advisory locks).
    const locks = await commands.pool.query(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    expect(locks.rows[0].n).toBe(6);

    // The command line rebuilds a projection while the system runs, then reports positions.
    await commands.pool.query('DELETE FROM messages');
    const rebuilt = await cli('projections', 'rebuild', 'history');
    expect(rebuilt.stdout).toMatch(/rebuilt history up to position \d+/);
    const again = await read.get(`/v1/conversations/${sent.body.conversationId as string}/messages`, {
      token: bob.token,
    });
    expect(again.body.items).toEqual(history.body.items);
    const status = await cli('projections', 'status');
    expect(status.stdout).toMatch(/^history +\d+ +0 /m);
    await expect(cli('projections', 'rebuild', 'nonsense')).rejects.toMatchObject({ code: 2 });
  });
});
