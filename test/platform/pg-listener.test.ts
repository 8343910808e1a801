import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenWithReconnect } from '../../src/platform/pg-listener.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const until = async (check: () => boolean | Promise<boolean>, what: string) => {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('listenWithReconnect', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await createTestDatabase('pg_listener');
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const listeners = async () =>
    (
      await pool.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
      )
    ).rows.map((row) => row.pid);

  it('listens again after its connection is killed, tells each time, and lets go when closed', async () => {
    const payloads: (string | undefined)[] = [];
    const warnings: string[] = [];
    let listening = 0;
    const listener = listenWithReconnect({
      pool,
      channel: 'test_channel',
      logger: { warn: (_object, message) => warnings.push(message) },
      name: 'test listener',
      onNotification: (payload) => payloads.push(payload),
      onListening: () => (listening += 1),
      retry: { initialDelayMs: 10, maxDelayMs: 50 },
    });
    await listener.firstAttempt;
    expect(listening).toBe(1);
    await pool.query(`SELECT pg_notify('test_channel', 'one')`);
    await until(() => payloads.includes('one'), 'the first notification');

    const [killed] = await listeners();
    await pool.query('SELECT pg_terminate_backend($1)', [killed]);
    await until(() => listening === 2, 'a second LISTEN');
    expect(warnings).toContain('test listener: connection lost; reconnecting');
    await pool.query(`SELECT pg_notify('test_channel', 'two')`);
    await until(() => payloads.includes('two'), 'a notification after the reconnect');

    await listener.close();
    await until(async () => (await listeners()).length === 0, 'the connection to go');
    expect(payloads).toEqual(['one', 'two']);
  });

  it('rejects its first attempt when it cannot connect, and stops retrying once closed', async () => {
    const broken = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 });
    const warnings: string[] = [];
    const listener = listenWithReconnect({
      pool: broken,
      channel: 'test_channel',
      logger: { warn: (_object, message) => warnings.push(message) },
      name: 'broken listener',
      onNotification: () => undefined,
      retry: { initialDelayMs: 10, maxDelayMs: 20 },
    });
    await expect(listener.firstAttempt).rejects.toThrow();
    await until(() => warnings.length >= 2, 'a retry');
    await listener.close();
    const after = warnings.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(warnings.length).toBe(after);
    await broken.end();
  });
});
