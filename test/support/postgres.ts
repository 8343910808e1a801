import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Where the tests' PostgreSQL server is: `TEST_DATABASE_URL` (any database on it; it is used only
 * to create and drop the fresh ones), else a testcontainers PostgreSQL when a Docker engine
 * answers, else the local server on 127.0.0.1:5432.
 */
let serverUrl: Promise<string> | undefined;

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function resolveServerUrl(): Promise<string> {
  const configured = process.env.TEST_DATABASE_URL;
  if (configured) return configured;
  if (await dockerAvailable()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    return container.getConnectionUri();
  }
  return 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function postgresServerUrl(): Promise<string> {
  serverUrl ??= resolveServerUrl();
  return serverUrl;
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates a database with a fresh name; `drop()` removes it (terminating leftover sessions). */
export async function createTestDatabase(prefix = 'chat_test'): Promise<TestDatabase> {
  const server = await postgresServerUrl();
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(server, name),
    async drop() {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
