import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from '../../src/system.js';
import { httpClient, signUp, type HttpClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { testConfig } from '../support/system.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let db: TestDatabase;
let system: RunningSystem;
let http: HttpClient;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  system = await startSystem(testConfig(db.url), pino({ level: 'debug' }, sink));
  http = httpClient(`http://127.0.0.1:${system.httpPort}`);
});

afterAll(async () => {
  await system?.stop();
  await db?.drop();
});

let counter = 0;
const freshId = () => `test-${process.pid}-${++counter}:a.b_c=+/`;

/** Sends raw bytes and returns the raw answer (for requests fetch would not send). */
function rawRequest(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(system.httpPort!, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('request ids', () => {
  it('echoes a well-formed X-Request-Id on every answer, errors included', async () => {
    const user = await signUp(http, 'rid');
    await signUp(http, 'friend');
    type Send = (headers: Record<string, string>) => Promise<{ status: number; headers: Headers }>;
    const requests: [number, Send][] = [
      [200, (headers) => http.get('/health/live', { headers })],
      [201, (headers) => http.post('/v1/contacts', { username: 'friend' }, { token: user.token, headers })],
      [400, (headers) => http.post('/v1/auth/register', { username: 1 }, { headers })],
      [401, (headers) => http.get('/v1/contacts', { headers })],
      [404, (headers) => http.get('/no/such/route', { headers })],
      // A path the router cannot decode: refused before any hook runs.
      [400, (headers) => http.get('/v1/conversations/%E0%A4%A/messages', { token: user.token, headers })],
    ];
    for (const [status, send] of requests) {
      const id = freshId();
      const answer = await send({ 'x-request-id': id });
      expect(answer.status).toBe(status);
      expect(answer.headers.get('x-request-id')).toBe(id);
    }
  });

  it('puts the request id in every log line of the request', async () => {
    const id = freshId();
    const answer = await http.get('/v1/contacts', { headers: { 'x-request-id': id } });
    expect(answer.status).toBe(401);
    await expect
      .poll(() => logs.filter((line) => line.reqId === id).map((line) => line.msg))
      .toEqual(['incoming request', 'request refused', 'request completed']);
    // Nothing about this request was logged without it.
    const about = logs.filter((line) => JSON.stringify(line).includes(id));
    expect(about.every((line) => line.reqId === id)).toBe(true);
  });

  it('makes its own id when the caller sends none, or one that is too long or unsafe', async () => {
    const ids: (string | null)[] = [];
    for (const header of [undefined, 'x'.repeat(129), 'has space', 'quote"d', 'semi;colon', '']) {
      const answer = await http.get('/health/live', {
        headers: header === undefined ? {} : { 'x-request-id': header },
      });
      ids.push(answer.headers.get('x-request-id'));
    }
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      (await http.get('/health/live', { headers: { 'x-request-id': 'x'.repeat(128) } })).headers.get(
        'x-request-id',
      ),
    ).toBe('x'.repeat(128));
  });

  it('gives an id to the answers of requests that could not be read', async () => {
    const tooLarge = await rawRequest(
      `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-Id: mine\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`,
    );
    expect(tooLarge).toMatch(/^HTTP\/1\.1 431 /);
    const garbled = await rawRequest('NOT HTTP AT ALL\r\n\r\n');
    expect(garbled).toMatch(/^HTTP\/1\.1 400 /);
    for (const answer of [tooLarge, garbled]) {
      const header = /\r\nX-Request-Id: ([^\r]*)\r\n/i.exec(answer)?.[1];
      expect(header).toMatch(UUID);
      expect(logs.some((line) => line.reqId === header && line.msg === 'unreadable request refused')).toBe(
        true,
      );
    }
  });

  it('stores a caller traceparent in the events of a command even with tracing off', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const user = await signUp(http, 'traced');
    const answer = await http.post(
      '/v1/contacts',
      { username: 'rid' },
      { token: user.token, headers: { traceparent } },
    );
    expect(answer.status).toBe(201);
    const events = await system.store.readAll({ maxCount: 1000 });
    const added = events.find((event) => event.position === BigInt(answer.body.position as string));
    expect(added?.metadata.traceparent).toBe(traceparent);
    // A malformed one is not stored.
    const other = await signUp(http, 'untraced');
    const plain = await http.post(
      '/v1/contacts',
      { username: 'rid' },
      { token: other.token, headers: { traceparent: `${traceparent}-extra` } },
    );
    expect(plain.status).toBe(201);
    const stored = (await system.store.readAll({ maxCount: 1000 })).find(
      (event) => event.position === BigInt(plain.body.position as string),
    );
    expect(stored?.metadata).not.toHaveProperty('traceparent');
  });
});
