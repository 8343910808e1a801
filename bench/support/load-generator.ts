/**
 * The chat-load client, run as its own process (forked by bench/chat-load.ts) so that its work
 * does not count as the system's: users sign up, senders POST /v1/messages over keep-alive HTTP
 * (32 connections in all) or send `send` commands over their own WebSocket (`transport`), each
 * receiver listens on its own WebSocket, and the time from just before each send to its frame
 * arriving is recorded. Open loop: sends are due by the clock, and a slow answer does not delay
 * the next send.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { listen, percentile, serveParent, signUp, socketSender, type BenchUser } from './client.js';

export interface LoadRequest {
  readonly httpPort: number;
  readonly realtimePort: number;
  readonly pairs: number;
  readonly rates: readonly number[];
  readonly seconds: number;
  /** Skip the rates above one whose p99 exceeded this many ms. */
  readonly giveUpAboveP99Ms: number;
  /** How senders send: POST /v1/messages, or the `send` command on their own WebSocket. */
  readonly transport: 'http' | 'socket';
}

/** Sends message `number` for pair `pair`; resolves with 'ok' or what went wrong (a status, a code). */
type Send = (pair: number, number: number) => Promise<string>;

export interface RateResult {
  readonly rate: number;
  readonly sent: number;
  readonly acknowledged: number;
  readonly errors: Record<string, number>;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly deliveredPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

async function runRate(
  send: Send,
  senders: readonly BenchUser[],
  state: { firstNumber: number; sentAt: Float64Array; arrivals: Uint16Array; latencies: number[] },
  rate: number,
  seconds: number,
): Promise<RateResult> {
  const total = Math.round(rate * seconds);
  const first = state.firstNumber;
  state.firstNumber += total;
  let acknowledged = 0;
  const errors: Record<string, number> = {};
  const acknowledgedNumbers: number[] = [];
  const answers: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    else if (i % 64 === 0) await new Promise(setImmediate); // let answers and frames in
    const number = first + i;
    state.sentAt[number] = performance.now();
    answers.push(
      send(i % senders.length, number).then((outcome) => {
        if (outcome === 'ok') {
          acknowledged += 1;
          acknowledgedNumbers.push(number);
        } else errors[outcome] = (errors[outcome] ?? 0) + 1;
      }),
    );
  }
  const sendingEnded = performance.now();
  await Promise.all(answers);
  const deadline = performance.now() + 10_000;
  const arrived = () => acknowledgedNumbers.filter((number) => state.arrivals[number]! > 0).length;
  while (arrived() < acknowledged && performance.now() < deadline) await sleep(20);
  const latencies = Float64Array.from(
    acknowledgedNumbers.flatMap((number) => (state.arrivals[number]! > 0 ? [state.latencies[number]!] : [])),
  ).sort();
  const duplicated = acknowledgedNumbers.filter((number) => state.arrivals[number]! > 1).length;
  let lastArrival = sendingEnded;
  for (const number of acknowledgedNumbers) {
    if (state.arrivals[number]! > 0)
      lastArrival = Math.max(lastArrival, state.sentAt[number]! + state.latencies[number]!);
  }
  return {
    rate,
    sent: total,
    acknowledged,
    errors,
    delivered: latencies.length,
    lost: acknowledged - latencies.length,
    duplicated,
    deliveredPerSecond: latencies.length / ((lastArrival - started) / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? NaN,
  };
}

async function run(request: LoadRequest): Promise<RateResult[]> {
  const origin = `http://127.0.0.1:${request.httpPort}`;
  const pool = new Pool(origin, { connections: 32, pipelining: 1, keepAliveTimeout: 60_000 });
  const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const senders: BenchUser[] = [];
  const receivers: BenchUser[] = [];
  for (let pair = 0; pair < request.pairs; pair++) {
    senders.push(await signUp(pool, `s${pair}_${tag}`));
    receivers.push(await signUp(pool, `r${pair}_${tag}`));
  }
  const warmUp = { rate: Math.min(200, request.rates[0] ?? 200), seconds: 2 };
  const capacity =
    request.rates.reduce((sum, rate) => sum + Math.round(rate * request.seconds), 0) +
    warmUp.rate * warmUp.seconds +
    1;
  const state = {
    firstNumber: 0,
    sentAt: new Float64Array(capacity),
    arrivals: new Uint16Array(capacity),
    latencies: new Array<number>(capacity),
  };
  const sockets = await Promise.all(
    receivers.map((receiver) =>
      listen(request.realtimePort, receiver.token, (id) => {
        const number = Number(id.slice(id.lastIndexOf('-') + 1));
        if (!(number < capacity)) return;
        state.arrivals[number] = (state.arrivals[number] ?? 0) + 1;
        if (state.arrivals[number] === 1) state.latencies[number] = performance.now() - state.sentAt[number]!;
      }),
    ),
  );
  const bodies = senders.map((_, index) => `message from sender ${index}: ${'x'.repeat(40)}`);
  const overHttp: Send = (pair, number) =>
    pool
      .request({
        method: 'POST',
        path: '/v1/messages',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${senders[pair]!.token}` },
        body: `{"to":"${receivers[pair]!.username}","body":"${bodies[pair]}","clientMessageId":"bench-${number}"}`,
      })
      .then(
        async (response) => {
          await response.body.dump();
          return response.statusCode === 201 ? 'ok' : String(response.statusCode);
        },
        (error: { code?: string }) => error.code ?? 'network',
      );
  const senderSockets =
    request.transport === 'socket'
      ? await Promise.all(senders.map((sender) => socketSender(request.realtimePort, sender.token)))
      : [];
  const overSocket: Send = (pair, number) =>
    senderSockets[pair]!.send(
      String(number),
      `{"type":"send","requestId":"${number}","to":"${receivers[pair]!.username}","body":"${bodies[pair]}","clientMessageId":"bench-${number}"}`,
    );
  const send = request.transport === 'socket' ? overSocket : overHttp;
  const results: RateResult[] = [];
  try {
    // A short warm-up, not counted.
    await runRate(send, senders, state, warmUp.rate, warmUp.seconds);
    for (const rate of request.rates) {
      const result = await runRate(send, senders, state, rate, request.seconds);
      results.push(result);
      if (!(result.p99Ms <= request.giveUpAboveP99Ms) || result.lost > 0) break;
    }
  } finally {
    for (const socket of sockets) socket.close();
    for (const sender of senderSockets) sender.close();
    await pool.close();
  }
  return results;
}

serveParent(run);
