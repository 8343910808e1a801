import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, signUp, type HttpClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem } from '../support/system.js';
import { uniqueName } from '../support/system.js';
import { realtimeUrl, refusedUpgrade, TestClient } from '../support/ws-client.js';
import { answersTo, command, type Answer } from './support/commands.js';
import { freePort, RealtimeChild } from './support/realtime-child.js';

/*
 * The realtime role alone in a child process (no commands role there: it takes socket commands
 * on its own, against the same store), the API and projections in this process.
 */

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

async function startChild(): Promise<RealtimeChild> {
  const child = await RealtimeChild.start(db.url, port);
  children.push(child);
  return child;
}

describe('a realtime node in its own process', () => {
  it('writes only JSON lines: no uWS cork warning after upgrades, accepted or refused', async () => {
    const child = await startChild();
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((name) => signUp(http, uniqueName(name))));
    const sockets = await Promise.all(
      Array.from({ length: 10 }, () => TestClient.open(realtimeUrl(port, alice!.token))),
    );
    expect((await refusedUpgrade(realtimeUrl(port, 'not-a-token'))).status).toBe(401);
    const sent = await command(sockets[0]!, {
      type: 'send',
      to: bob!.username,
      body: 'from a realtime-only node',
    });
    expect(sent.type).toBe('ack');
    await Promise.all(sockets.map((socket) => socket.close()));
    expect(await child.kill('SIGTERM')).toBe(0);

    expect(child.stderr.join('')).not.toMatch(/corked/);
    for (const line of [...child.lines('stdout'), ...child.lines('stderr')]) {
      expect(() => JSON.parse(line), line).not.toThrow();
    }
    expect(
      child
        .lines('stdout')
        .some(
          (line) =>
            line.includes('realtime connection opened') || line.includes('realtime connection closed'),
        ),
    ).toBe(true);
  });

  it('acks a socket command only if it is written and delivered, across a kill -9', async () => {
    let child = await startChild();
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((name) => signUp(http, uniqueName(name))));
    const first = await http.post(
      '/v1/messages',
      { to: bob!.username, body: 'start' },
      { token: alice!.token },
    );
    const conversationId = first.body.conversationId as string;
    const since = first.body.position as string;
    const bobBefore = await TestClient.open(realtimeUrl(port, bob!.token, since));
    const alices = await TestClient.open(realtimeUrl(port, alice!.token));

    const sends = Array.from({ length: 40 }, (_, i) => ({
      requestId: randomUUID(),
      clientMessageId: `kill-${i}-${randomUUID()}`,
    }));
    for (const [i, each] of sends.entries()) {
      if (i === 15) void child.kill('SIGKILL');
      if (alices.socket.readyState !== WebSocket.OPEN) break;
      alices.send({ type: 'send', conversationId, body: `message ${i}`, ...each });
      await sleep(10);
    }
    await child.exited;
    await alices.untilClosed();
    await bobBefore.untilClosed();
    const acked = new Map(
      sends.flatMap((each) => {
        const answers = answersTo(alices, each.requestId) as Answer[];
        expect(answers.length).toBeLessThanOrEqual(1);
        return answers[0]?.type === 'ack'
          ? [[each.clientMessageId, answers[0].data as { messageId: string }]]
          : [];
      }),
    );
    expect(acked.size).toBeGreaterThan(0);

    child = await startChild();
    const lastSeen = bobBefore.positions().at(-1)?.toString() ?? since;
    const bobAfter = await TestClient.open(realtimeUrl(port, bob!.token, lastSeen));
    const written = await system.pool.query<{ position: string }>(
      `SELECT position::text FROM event_store.events
        WHERE type = 'MessageSent' AND data->>'conversationId' = $1 AND position > $2`,
      [conversationId, since],
    );
    const seen = () => new Set([...bobBefore.positions(), ...bobAfter.positions()].map(String));
    await bobAfter.until(
      () => written.rows.every((row) => seen().has(row.position)),
      'bob to have every message after since, before the kill or in the replay',
    );
    const delivered = new Set(
      [...bobBefore.frames, ...bobAfter.frames].flatMap((f) =>
        f.type === 'message.sent' ? [f.data?.messageId] : [],
      ),
    );

    for (const { clientMessageId } of sends) {
      const stored = await system.pool.query<{ messageId: string }>(
        `SELECT data->>'messageId' AS "messageId" FROM event_store.events
          WHERE type = 'MessageSent' AND data->>'clientMessageId' = $1`,
        [clientMessageId],
      );
      const ack = acked.get(clientMessageId);
      if (ack) {
        // Acked: written once, and delivered (live before the kill, or in the replay after it).
        expect(stored.rows).toEqual([{ messageId: ack.messageId }]);
        expect(delivered.has(ack.messageId)).toBe(true);
        continue;
      }
      // Not acked: absent, or written just before the kill; either way the client's retry with the
      // same clientMessageId ends with exactly one message, and the retry returns it.
      expect(stored.rows.length).toBeLessThanOrEqual(1);
      const retried = await http.post(
        `/v1/conversations/${conversationId}/messages`,
        { body: 'retry', clientMessageId },
        { token: alice!.token },
      );
      expect(retried.status).toBe(201);
      if (stored.rows[0]) expect(retried.body.messageId).toBe(stored.rows[0].messageId);
    }
    await bobAfter.close();
  });
});
