import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, signUp, type HttpClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem } from '../support/system.js';
import { TestClient, realtimeUrl } from '../support/ws-client.js';
import { eventually, projectionsAtHead, sample } from './support.js';

/*
 * The roles as separate processes would run them, on one database: the HTTP roles, a
 * projections-only and a realtime-only process, the last two with only their ops port to answer
 * health checks and scrapes.
 */

let db: TestDatabase;
let api: RunningSystem;
let projections: RunningSystem;
let realtime: RunningSystem;
let http: HttpClient;
let projectionsOps: HttpClient;
let realtimeOps: HttpClient;

/**
 * Fewer than bob's own events from the start of this test's log (the conversation's creation and
 * its message: the limit counts the user's own events), so a resume from the start must resync.
 */
const REPLAY_LIMIT = 1;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startTestSystem(db.url, { ROLES: 'commands,read-api' });
  projections = await startTestSystem(db.url, { ROLES: 'projections', OPS_PORT: '0' });
  realtime = await startTestSystem(db.url, {
    ROLES: 'realtime',
    OPS_PORT: '0',
    REALTIME_REPLAY_LIMIT: String(REPLAY_LIMIT),
  });
  http = httpClient(`http://127.0.0.1:${api.httpPort}`);
  projectionsOps = httpClient(`http://127.0.0.1:${projections.opsPort}`);
  realtimeOps = httpClient(`http://127.0.0.1:${realtime.opsPort}`);
});

afterAll(async () => {
  for (const system of [realtime, projections, api]) await system?.stop();
  await db?.drop();
});

async function scrape(port: number | undefined): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

describe('a process without the HTTP API', () => {
  it('answers health checks on its ops port, with the checks its roles need', async () => {
    expect(projections.httpPort).toBeUndefined();
    expect(realtime.httpPort).toBeUndefined();
    expect(api.opsPort).toBeUndefined();

    for (const ops of [projectionsOps, realtimeOps]) {
      const live = await ops.get('/health/live', { headers: { 'x-request-id': 'probe-1' } });
      expect(live.status).toBe(200);
      expect(live.body).toEqual({ status: 'ok' });
      expect(live.headers.get('x-request-id')).toBe('probe-1');
      expect((await ops.get('/v1/contacts')).status).toBe(404);
    }
    await projectionsAtHead(projections);
    const ready = await projectionsOps.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.checks as object).sort()).toEqual([
      'database',
      'eventStore',
      'projections',
    ]);
    const realtimeReady = await realtimeOps.get('/health/ready');
    expect(realtimeReady.status).toBe(200);
    expect(Object.keys(realtimeReady.body.checks as object).sort()).toEqual(['database', 'eventStore']);
  });

  it('serves the metrics of its roles on its ops port', async () => {
    const text = await scrape(projections.opsPort);
    expect(sample(text, 'chat_log_head_position')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'chat_projection_position', { projection: 'history' })).toBeGreaterThanOrEqual(0);
    expect(text).not.toContain('chat_realtime_connections');
    expect(text).not.toContain('chat_commands_total');
  });
});

describe('realtime and command metrics', () => {
  it('count connections, frames by type, replays, resyncs and commands', async () => {
    const alice = await signUp(http, 'alice');
    const bob = await signUp(http, 'bob');
    const added = await http.post('/v1/contacts', { username: 'bob' }, { token: alice.token });
    expect(added.status).toBe(201);
    expect((await http.post('/v1/contacts', { username: 'alice' }, { token: alice.token })).status).toBe(400);

    const phone = await TestClient.open(realtimeUrl(realtime.realtimePort!, bob.token));
    const laptop = await TestClient.open(realtimeUrl(realtime.realtimePort!, bob.token));
    expect(sample(await scrape(realtime.opsPort), 'chat_realtime_connections')).toBe(2);

    const sent = await http.post('/v1/messages', { to: 'bob', body: 'counted' }, { token: alice.token });
    expect(sent.status).toBe(201);
    // Just before the message: after the conversation's creation, appended with it.
    const before = (BigInt(sent.body.position as string) - 1n).toString();
    const isSent = (frame: { type: string }) => frame.type === 'message.sent';
    await phone.untilFrame(isSent, 'the message on the phone');
    await laptop.untilFrame(isSent, 'the message on the laptop');

    // Alice comes online (bob hears it: he is in her contacts) and types in the conversation.
    await projectionsAtHead(projections);
    const aliceLive = await TestClient.open(realtimeUrl(realtime.realtimePort!, alice.token));
    await phone.untilFrame((frame) => frame.type === 'presence', 'alice online');
    aliceLive.send({ type: 'typing', conversationId: sent.body.conversationId });
    await phone.untilFrame((frame) => frame.type === 'typing', 'alice typing');
    aliceLive.send({ type: 'ping' });
    await aliceLive.untilFrame((frame) => frame.type === 'pong', 'the pong');

    // A resume with a short gap replays it; one from the start is past the limit and resyncs.
    const resumed = await TestClient.open(realtimeUrl(realtime.realtimePort!, bob.token, before));
    await resumed.untilFrame(isSent, 'the replayed message');
    const fromStart = await TestClient.open(realtimeUrl(realtime.realtimePort!, bob.token, '0'));
    await fromStart.untilFrame((frame) => frame.type === 'resync', 'the resync');

    const text = await eventually(async () => {
      const scraped = await scrape(realtime.opsPort);
      return sample(scraped, 'chat_realtime_replays_total', { outcome: 'resync' }) === 1
        ? scraped
        : undefined;
    }, 'the resync counted');
    const frames = (type: string) => sample(text, 'chat_realtime_frames_sent_total', { type });
    expect(frames('message.sent')).toBe(3); // two live, one replayed
    expect(frames('presence')).toBeGreaterThanOrEqual(2);
    expect(frames('typing')).toBe(2);
    expect(frames('pong')).toBe(1);
    expect(frames('resync')).toBe(1);
    expect(sample(text, 'chat_realtime_connections')).toBe(5);
    expect(sample(text, 'chat_realtime_replays_total', { outcome: 'replayed' })).toBe(1);
    expect(sample(text, 'chat_realtime_replay_frames_count')).toBe(2);
    // The replay sent the message; the resync sent none.
    expect(sample(text, 'chat_realtime_replay_frames_sum')).toBe(1);
    expect(sample(text, 'chat_realtime_resyncs_total', { reason: 'replay_too_long' })).toBe(1);

    await Promise.all([phone, laptop, aliceLive, resumed, fromStart].map((client) => client.close()));
    await eventually(
      async () =>
        sample(await scrape(realtime.opsPort), 'chat_realtime_connections') === 0 ? true : undefined,
      'every connection closed',
    );

    const commands = await scrape(api.httpPort);
    const count = (type: string, outcome: string) =>
      sample(commands, 'chat_commands_total', { type, outcome });
    expect(count('RegisterUser', 'appended')).toBe(2);
    expect(count('AddContact', 'appended')).toBe(1);
    expect(count('AddContact', 'rejected')).toBe(1);
    expect(count('SendMessage', 'appended')).toBe(1);
  });
});
