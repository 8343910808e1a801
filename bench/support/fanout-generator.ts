/**
 * The fan-out client, its own process: one group of `members` users with `connectionsPerMember`
 * sockets each; one member sends into the group at a fixed rate; every socket should receive
 * every message. Latency is from just before the POST to each socket's frame.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { clientMessageIdOf, percentile, postJson, serveParent, signUp, type BenchUser } from './client.js';
import { countFrames } from './frame-counter.js';

export interface FanOutRequest {
  readonly httpPort: number;
  readonly realtimePort: number;
  readonly members: number;
  readonly connectionsPerMember: number;
  readonly rate: number;
  readonly seconds: number;
}

export interface FanOutResult {
  readonly messages: number;
  readonly acknowledged: number;
  readonly expectedFrames: number;
  readonly frames: number;
  readonly missing: number;
  readonly framesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

async function run(request: FanOutRequest): Promise<FanOutResult> {
  const pool = new Pool(`http://127.0.0.1:${request.httpPort}`, { connections: 8 });
  const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const members: BenchUser[] = [];
  for (let i = 0; i < request.members; i++) members.push(await signUp(pool, `g${i}_${tag}`));
  const [sender, ...others] = members;
  const created = await postJson(
    pool,
    '/v1/conversations',
    { title: 'fan-out', memberIds: others.map((member) => member.userId) },
    sender!.token,
  );
  if (created.status !== 201) throw new Error(`create group: ${created.status}`);
  const conversationId = String(created.body.conversationId);

  const total = Math.round(request.rate * request.seconds);
  const sentAt = new Float64Array(total);
  const latencies: number[] = [];
  let lastFrameAt = 0;
  const sockets = await Promise.all(
    members.flatMap((member) =>
      Array.from({ length: request.connectionsPerMember }, () =>
        countFrames(request.realtimePort, `/v1/realtime?access_token=${member.token}`, (payload) => {
          const id = clientMessageIdOf(payload);
          if (id === undefined) return;
          const number = Number(id.slice(id.lastIndexOf('-') + 1));
          if (!(number < total)) return;
          lastFrameAt = performance.now();
          latencies.push(lastFrameAt - sentAt[number]!);
        }),
      ),
    ),
  );
  let acknowledged = 0;
  const answers: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / request.rate - performance.now();
    if (wait > 1) await sleep(wait);
    sentAt[i] = performance.now();
    answers.push(
      postJson(
        pool,
        `/v1/conversations/${conversationId}/messages`,
        { body: `to everyone ${i}`, clientMessageId: `fanout-${i}` },
        sender!.token,
      ).then((answer) => {
        if (answer.status === 201) acknowledged += 1;
      }),
    );
  }
  await Promise.all(answers);
  const expectedFrames = acknowledged * sockets.length;
  const deadline = performance.now() + 15_000;
  while (latencies.length < expectedFrames && performance.now() < deadline) await sleep(50);
  for (const socket of sockets) socket.close();
  await pool.close();
  const sorted = Float64Array.from(latencies).sort();
  return {
    messages: total,
    acknowledged,
    expectedFrames,
    frames: latencies.length,
    missing: expectedFrames - latencies.length,
    framesPerSecond: latencies.length / ((lastFrameAt - started) / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? NaN,
  };
}

serveParent(run);
