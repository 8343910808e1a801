import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import type { EventStore, NewEvent, RecordedEvent } from '../../../src/eventstore/port.js';
import type { LogStore, LoggedEvent } from '../../../src/log.js';
import { createPostgresEventStore } from '../../../src/eventstore/postgres/index.js';
import { startSharedLog } from '../../../src/eventstore/shared-log.js';
import { createTokenService, type TokenService } from '../../../src/platform/tokens.js';
import { migrateReadModels } from '../../../src/read-models/migrations.js';
import type { RealtimeFrame } from '../../../src/realtime/realtime-frame.js';
import {
  startRealtimeServer,
  type RealtimeServer,
  type RealtimeServerDeps,
} from '../../../src/realtime/server.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';

export const TEST_SECRET = 'realtime-test-secret-long-enough-for-hs256';

/**
 * The test mapping: `Test` events carry their audience and a number; `pad` inflates the frame
 * (not the stored event), so backpressure tests can push megabytes cheaply.
 */
export function testFrameFor(logged: LoggedEvent): RealtimeFrame | undefined {
  const event = raw(logged);
  if (event.type !== 'Test') return undefined;
  const audience = event.data.audience;
  if (!Array.isArray(audience)) return undefined;
  const pad = typeof event.data.pad === 'number' ? event.data.pad : 0;
  return {
    type: 'test.happened',
    position: event.position,
    audience: audience.filter((entry): entry is string => typeof entry === 'string'),
    data: { n: event.data.n, ...(pad > 0 ? { padding: 'x'.repeat(pad) } : {}) },
  };
}

/*
 * The harness writes `Test` events, which are not in the application's catalog, and hands the
 * server the adapter itself rather than the decoding store: the server passes events through to
 * the frame mapping untouched, and the test mapping reads them as stored.
 */
export const raw = (event: LoggedEvent): RecordedEvent => event as unknown as RecordedEvent;
const asLogStore = (store: EventStore): LogStore => store as unknown as LogStore;

/** A store that forwards to `store` except for the methods given (class methods do not spread). */
export function storeWith(store: LogStore, overrides: Partial<LogStore>): LogStore {
  return {
    appendToStream: (...args) => store.appendToStream(...args),
    readStream: (...args) => store.readStream(...args),
    readAll: (...args) => store.readAll(...args),
    headPosition: () => store.headPosition(),
    subscribeToAll: (...args) => store.subscribeToAll(...args),
    ping: () => store.ping(),
    identity: () => store.identity(),
    close: () => store.close(),
    ...overrides,
  };
}

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export interface Harness {
  readonly store: LogStore;
  /** The read-model database, for fixtures (contacts, conversation members) and checks. */
  readonly pool: pg.Pool;
  readonly tokens: TokenService;
  readonly logs: LogLine[];
  /**
   * Starts a server (a node: its own pool, log subscription and LISTEN connection) on a free port
   * of 127.0.0.1; `cleanup` closes it if the test did not.
   */
  startServer(overrides?: Partial<RealtimeServerDeps>): Promise<RealtimeServer>;
  tokenFor(userId: string): Promise<string>;
  /** Appends `Test` events (one stream per call), numbered from `firstN`; returns their positions. */
  append(
    audiences: readonly (readonly string[])[],
    options?: { firstN?: number; pad?: number },
  ): Promise<bigint[]>;
  /** Resolves once a log line matches (polled: the logger writes asynchronously to nobody). */
  untilLog(match: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** Read-model rows: `owner` has `contact` in its contact list. */
  addContact(owner: string, contact: string): Promise<void>;
  /** Read-model rows: a group conversation with these members; returns its id. */
  createConversation(memberIds: readonly string[]): Promise<string>;
  cleanup(): Promise<void>;
}

const APPEND_CHUNK = 500;

export async function createHarness(): Promise<Harness> {
  const database: TestDatabase = await createTestDatabase('realtime');
  const adapter = await createPostgresEventStore({ connectionString: database.url });
  const store = asLogStore(adapter);
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  // Pools end before the database is dropped, but their sockets may still be closing then.
  pool.on('error', () => undefined);
  await migrateReadModels(pool);
  const nodePools: pg.Pool[] = [];
  const tokens = createTokenService({ secret: TEST_SECRET, accessTokenTtlSeconds: 3600 });
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const servers: RealtimeServer[] = [];

  return {
    store,
    pool,
    tokens,
    logs,
    async startServer(overrides = {}) {
      const nodePool = new pg.Pool({ connectionString: database.url, max: 5 });
      nodePool.on('error', () => undefined);
      nodePools.push(nodePool);
      const log = await startSharedLog(overrides.store ?? store, logger);
      const server = await startRealtimeServer({
        host: '127.0.0.1',
        port: 0,
        store,
        log,
        pool: nodePool,
        tokens,
        frameFor: testFrameFor,
        logger,
        ...overrides,
      });
      const closeServer = server.close.bind(server);
      // The log is the server's own here, so it stops with it.
      server.close = async () => {
        await closeServer();
        await log.stop();
      };
      servers.push(server);
      return server;
    },
    async tokenFor(userId) {
      return (await tokens.issueAccessToken({ userId, username: `user-${userId.slice(0, 8)}` })).token;
    },
    async append(audiences, options = {}) {
      const firstN = options.firstN ?? 0;
      const positions: bigint[] = [];
      for (let start = 0; start < audiences.length; start += APPEND_CHUNK) {
        const events: NewEvent[] = audiences.slice(start, start + APPEND_CHUNK).map((audience, index) => ({
          id: randomUUID(),
          type: 'Test',
          data: { audience, n: firstN + start + index, ...(options.pad ? { pad: options.pad } : {}) },
        }));
        const stream = `test-${randomUUID()}`;
        await adapter.appendToStream(stream, events);
        for (const event of await adapter.readStream(stream)) positions.push(event.position);
      }
      return positions;
    },
    async untilLog(match, what, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = logs.find(match);
        if (line) return line;
        if (Date.now() > deadline) throw new Error(`timed out waiting for log: ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async addContact(owner, contact) {
      await pool.query('INSERT INTO contacts (owner_id, contact_id, added_at) VALUES ($1, $2, now())', [
        owner,
        contact,
      ]);
    },
    async createConversation(memberIds) {
      const conversationId = randomUUID();
      await pool.query(
        `INSERT INTO conversations (conversation_id, kind, title, created_at, activity_position)
         VALUES ($1, 'group', 'test', now(), 0)`,
        [conversationId],
      );
      for (const userId of memberIds) {
        await pool.query(
          'INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES ($1, $2, now())',
          [conversationId, userId],
        );
      }
      return conversationId;
    },
    async cleanup() {
      await Promise.all(servers.map((server) => server.close()));
      await Promise.all(nodePools.map((nodePool) => nodePool.end()));
      await pool.end();
      await store.close();
      await database.drop();
    },
  };
}

export const realtimeUrl = (
  port: number,
  query: Record<string, string> = {},
  path = '/v1/realtime',
): string => {
  const search = new URLSearchParams(query).toString();
  return `ws://127.0.0.1:${port}${path}${search ? `?${search}` : ''}`;
};
