import { afterAll, beforeAll } from 'vitest';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, type HttpClient } from './http-client.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { startTestSystem } from './system.js';

/** One fresh database and one running system for a test file; both go away after it. */
export function useTestSystem(env: Record<string, string> = {}) {
  const context = {} as { db: TestDatabase; system: RunningSystem; http: HttpClient };
  beforeAll(async () => {
    context.db = await createTestDatabase();
    context.system = await startTestSystem(context.db.url, env);
    context.http = httpClient(`http://127.0.0.1:${context.system.httpPort}`);
  });
  afterAll(async () => {
    await context.system?.stop();
    await context.db?.drop();
  });
  return context;
}

let counter = 0;
/** A username no other test in this run uses. */
export const uniqueName = (prefix = 'user') => `${prefix}_${process.pid}_${++counter}`;

export const PROBLEM_JSON = /^application\/problem\+json/;
