import { loadConfig, type Config } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { startSystem, type RunningSystem } from '../../src/system.js';
import { afterAll, beforeAll } from 'vitest';
import { httpClient, type HttpClient } from './http-client.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-signing';

export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    // Every test signs its users up from 127.0.0.1, and some send fast; 0 turns a limit off.
    REGISTRATIONS_PER_IP_PER_HOUR: '0',
    SEND_RATE_PER_MINUTE: '0',
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    REALTIME_PORT: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    BCRYPT_ROUNDS: '4',
    READ_YOUR_WRITES_TIMEOUT_MS: '3000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
}

/** The real system, every role (or the given ones), on free ports of 127.0.0.1. */
export async function startTestSystem(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<RunningSystem> {
  const config = testConfig(databaseUrl, env);
  return startSystem(config, createLogger(config.logLevel));
}

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
