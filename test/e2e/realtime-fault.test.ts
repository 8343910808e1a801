// Long because the load, the kill, the restart and the exactly-once accounting are one scenario.
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../src/system.js';
import { eventually } from '../realtime/support/eventually.js';
import { TestClient, type ServerFrame } from '../support/ws-client.js';
import { httpClient, signUp, type HttpClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem, uniqueName } from '../support/system.js';
import { freePort, RealtimeChild } from '../realtime/support/realtime-child.js';

/**
 * The realtime role runs as a child process (the TypeScript entry point through vite-node, as
 * `main serve --roles realtime`), the API and projections in this process. The child is killed
 * with SIGKILL in the middle of a stream of messages and started again on the same port; clients
 * reconnect with `since` and must end up with every message exactly once, in order.
 */
const MESSAGES = 300;
const INTERVAL_MS = 20;
const KILL_AT = 100;
/** The realtime node's timeout, short so that the killed node's users go offline within the test. */
const NODE_TIMEOUT_SECONDS = 2;

let db: TestDatabase;
let system: RunningSystem;
let http: HttpClient;
let port: number;
const children: RealtimeChild[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  system = await startTestSystem(db.url, { ROLES: 'commands,read-api,projections' });
  http = httpClient(`http://127.0.0.1:${system.httpPort}`);
  port = await freePort();
});

afterAll(async () => {
  await Promise.all(children.map((child) => child.kill('SIGKILL')));
  await system?.stop();
  await db?.drop();
});

/** One run of `main serve --roles realtime` on the test's port, stopped after the tests. */
async function startChild(): Promise<RealtimeChild> {
  const child = await RealtimeChild.start(db.url, port, {
    LOG_LEVEL: 'warn',
    REALTIME_NODE_TIMEOUT_SECONDS: String(NODE_TIMEOUT_SECONDS),
  });
  children.push(child);
  return child;
}

/**
 * A client that reconnects with `since=<last position it saw>` whenever its connection ends
 * (retrying until the server accepts), until stopped. Keeps every frame of every connection.
 */
class ReconnectingClient {
  readonly #token: string;
  #since: string;
  readonly #earlier: ServerFrame[] = [];
  #current: TestClient | undefined;
  #stopped = false;
  connections = 0;
  readonly done: Promise<void>;

  constructor(token: string, since: string) {
    this.#token = token;
    this.#since = since;
    this.done = this.#run();
  }

  get frames(): ServerFrame[] {
    return [...this.#earlier, ...(this.#current?.frames ?? [])];
  }

  get current(): TestClient | undefined {
    return this.#current;
  }

  positions(): string[] {
    return this.frames.flatMap((frame) => (frame.position === undefined ? [] : [frame.position]));
  }

  /** No reconnect after the current connection ends. */
  stop(): void {
    this.#stopped = true;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let client: TestClient;
      try {
        client = await TestClient.open(
          `ws://127.0.0.1:${port}/v1/realtime?access_token=${encodeURIComponent(this.#token)}&since=${this.#since}`,
        );
      } catch {
        await sleep(25);
        continue;
      }
      this.connections += 1;
      this.#current = client;
      if (client.socket.readyState !== WebSocket.CLOSED) await once(client.socket, 'close');
      this.#earlier.push(...client.frames);
      this.#since = this.positions().at(-1) ?? this.#since;
      if (!this.#stopped) this.#current = undefined;
    }
  }
}

describe('realtime node killed and restarted under load', () => {
  it('loses and doubles no message, takes the dead node’s users offline, and closes with 1001 on SIGTERM', async () => {
    let child = await startChild();
    const [alice, bob, carol, dave] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave'].map((name) => signUp(http, uniqueName(name))),
    );
    const contact = await http.post('/v1/contacts', { username: dave!.username }, { token: bob!.token });
    expect(contact.status).toBe(201);
    const group = await http.post(
      '/v1/conversations',
      { title: 'Fault', memberIds: [bob!.userId, carol!.userId] },
      { token: alice!.token },
    );
    const conversationId = group.body.conversationId as string;
    // Presence reads the contacts read model: wait until it has bob's contact.
    await http.get('/v1/contacts', {
      token: bob!.token,
      headers: { 'x-min-position': group.body.position as string },
    });
    const since = group.body.position as string;

    const clients = [alice!, bob!, bob!, carol!].map((user) => new ReconnectingClient(user.token, since));
    const [, bobPhone] = clients as [
      ReconnectingClient,
      ReconnectingClient,
      ReconnectingClient,
      ReconnectingClient,
    ];
    // Dave never comes back after the kill: his presence must be swept.
    const daveClient = await TestClient.open(
      `ws://127.0.0.1:${port}/v1/realtime?access_token=${encodeURIComponent(dave!.token)}`,
    );
    const presenceOfDave = () =>
      bobPhone.frames.filter((frame) => frame.type === 'presence' && frame.data?.userId === dave!.userId);
    await eventually(() => presenceOfDave().length >= 1, 'dave online at bob');

    const path = `/v1/conversations/${conversationId}/messages`;
    const positions: string[] = [];
    let restarted: Promise<void> | undefined;
    for (let i = 0; i < MESSAGES; i += 1) {
      if (i === KILL_AT) {
        restarted = (async () => {
          await child.kill('SIGKILL');
          child = await startChild();
        })();
      }
      const sent = await http.post(
        path,
        { body: `message ${i}`, clientMessageId: `fault-${i}` },
        { token: alice!.token },
      );
      expect(sent.status).toBe(201);
      positions.push(sent.body.position as string);
      await sleep(INTERVAL_MS);
    }
    await restarted;

    const last = positions.at(-1)!;
    for (const client of clients) {
      await eventually(() => client.positions().includes(last), 'the last message at every client', {
        timeoutMs: 20_000,
      });
    }
    for (const client of clients) {
      // Every message exactly once, in the order of the log, across the connections before and after the kill.
      expect(client.positions()).toEqual(positions);
      expect(
        client.frames
          .filter((frame) => frame.position !== undefined)
          .every((frame) => frame.type === 'message.sent'),
      ).toBe(true);
      expect(client.connections).toBeGreaterThanOrEqual(2);
    }
    expect(daveClient.closedWith?.code).toBe(1006);

    // The killed node stopped heartbeating: after the timeout the new node sweeps it, and dave,
    // who did not come back, goes offline for bob.
    await eventually(() => presenceOfDave().at(-1)?.data?.online === false, 'dave offline at bob', {
      timeoutMs: 15_000,
    });

    // SIGTERM: every client is told "going away" (1001), and the process exits cleanly.
    for (const client of clients) client.stop();
    const exitCode = child.kill('SIGTERM');
    for (const client of clients) {
      const current = client.current;
      expect(current).toBeDefined();
      expect(await current!.untilClosed()).toEqual({ code: 1001, reason: 'going away' });
    }
    expect(await exitCode).toBe(0);
    await Promise.all(clients.map((client) => client.done));
  });
});
