import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, signUp } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem, TEST_JWT_SECRET } from '../support/system.js';

const run = promisify(execFile);
let db: TestDatabase;
let system: RunningSystem;
let head: bigint;

/** The command line, from the TypeScript sources, as its own process (stdout and stderr are pipes). */
function cli(...args: string[]) {
  return run('node_modules/.bin/vite-node', ['src/main.ts', ...args], {
    env: { ...process.env, DATABASE_URL: db.url, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
}

beforeAll(async () => {
  db = await createTestDatabase('projections_cli');
  // Commands only: no projector runs, so every projection stays behind the log until rebuilt.
  system = await startTestSystem(db.url, { ROLES: 'commands' });
  const http = httpClient(`http://127.0.0.1:${system.httpPort}`);
  const ada = await signUp(http, 'cli_ada');
  await signUp(http, 'cli_bob');
  for (let i = 1; i <= 5; i++) {
    await http.post('/v1/messages', { to: 'cli_bob', body: `hello ${i}` }, { token: ada.token });
  }
  head = await system.store.headPosition();
});
afterAll(async () => {
  await system?.stop();
  await db?.drop();
});

const rowOf = (table: string, name: string) => table.split('\n').find((line) => line.startsWith(`${name} `));

describe('the projections command line', () => {
  it('shows a table of positions with the lag behind the head, and rebuilds with progress', async () => {
    const before = await cli('projections', 'status');
    const lines = before.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`log head: ${head}`);
    expect(lines[1]).toMatch(/^projection\s+position\s+behind\s+updated\s+rebuild$/);
    expect(lines).toHaveLength(2 + 6);
    // Positions of the PostgreSQL store are dense: the lag from position 0 is the head.
    expect(rowOf(before.stdout, 'history')).toMatch(new RegExp(`^history\\s+0\\s+${head}\\s+\\S+\\s+-$`));

    const rebuilt = await cli('projections', 'rebuild', 'history', '--batch-size', '3');
    expect(rebuilt.stdout).toBe(`rebuilt history up to position ${head}\n`);
    const progress = rebuilt.stderr.trimEnd().split('\n');
    expect(progress[0]).toBe(
      `history: rebuilding into shadow tables from the start of the log (head ${head})`,
    );
    // Not a terminal: plain lines, no bar, no carriage returns.
    expect(rebuilt.stderr).not.toContain('\r');
    expect(progress).toContainEqual(
      expect.stringMatching(
        /^history: \d+% {2}position \d+ of \d+ {2}[\d,]+ events\/s {2}(.+ left|catching up)$/,
      ),
    );
    expect(progress.at(-1)).toMatch(
      new RegExp(`^history: swapped in at position ${head}; ${head} events in .+ \\([\\d,]+ events/s\\)$`),
    );

    const after = await cli('projections', 'status');
    expect(rowOf(after.stdout, 'history')).toMatch(
      new RegExp(`^history\\s+${head}\\s+0\\s+\\d{4}-\\S+\\s+-$`),
    );
    expect(rowOf(after.stdout, 'users')).toMatch(new RegExp(`^users\\s+0\\s+${head}\\s+never\\s+-$`));
  });

  it('answers unknown names and commands with what it knows, and exit code 2', async () => {
    const known = 'known projections: users, contacts, conversations, history, blocks, resume_index';
    // Each its own process; run together.
    await Promise.all([
      expect(cli('projections', 'rebuild', 'nope')).rejects.toMatchObject({
        code: 2,
        stderr: `unknown projection "nope"; ${known}\n`,
      }),
      expect(cli('projections', 'rebuild')).rejects.toMatchObject({
        code: 2,
        stderr: `rebuild what? ${known}\n`,
      }),
      expect(cli('projections', 'nope')).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('unknown projections command "nope"'),
      }),
      expect(cli('projections', 'rebuild', 'history', '--batch-size', '0')).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('--batch-size'),
      }),
      expect(cli('nope')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage:') }),
    ]);
  });
});
