import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';
import { TestClient, realtimeUrl } from '../support/ws-client.js';

const t = useTestSystem();

/** A small deterministic random source, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 4294967296;
  };
}

const HOSTILE_STRINGS = [
  '',
  'a\u0000b',
  '\ud800',
  'x'.repeat(5000),
  '00000000-0000-0000-0000-000000000000',
  "' OR 1=1 --",
  '%00',
  '../../etc/passwd',
  '😀'.repeat(100),
  '9223372036854775808',
  '-1',
  '1e309',
];
const HOSTILE_VALUES: unknown[] = [
  ...HOSTILE_STRINGS,
  0,
  -1,
  2 ** 63,
  -(2 ** 63),
  Number.POSITIVE_INFINITY,
  Number.MAX_SAFE_INTEGER * 4,
  3.5,
  true,
  null,
  [],
  {},
  [1, 'a', null],
  { $ne: null },
];
const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/xml',
  '',
];

/** Percent-encodes any value; a lone surrogate (which encodeURIComponent refuses) as its WTF-8 bytes. */
function encoded(value: unknown): string {
  try {
    return encodeURIComponent(String(value));
  } catch {
    return '%ED%A0%80';
  }
}

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('a flood of malformed requests', () => {
  it('over every route: no 5xx, every refusal a problem document, and the process fine after', async () => {
    const user = await signUp(t.http, uniqueName('flood'));
    const doc = await t.http.get<{ paths: Record<string, Record<string, unknown>> }>('/openapi.json');
    const routes = Object.entries(doc.body.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ path, method: method.toUpperCase() })),
    );
    const random = seeded(20261124);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const pool = new Pool(`http://127.0.0.1:${t.system.httpPort}`, { connections: 16 });
    const before = process.memoryUsage.rss();
    const failures: string[] = [];
    const TOTAL = 10_000;
    let done = 0;
    const one = async (): Promise<void> => {
      const { path, method } = pick(routes);
      const url = path.replace(/\{[^}]+\}/g, () => encoded(pick(HOSTILE_VALUES)));
      const query =
        random() < 0.5
          ? `?${pick(['limit', 'cursor', 'before', 'query', 'since'])}=${encoded(pick(HOSTILE_VALUES))}`
          : '';
      const fields = [
        'to',
        'body',
        'clientMessageId',
        'title',
        'memberIds',
        'userId',
        'username',
        'password',
        'email',
        'code',
        'messageId',
        'refresh_token',
        'displayName',
        'messagePolicy',
      ];
      const bodyValue =
        random() < 0.05
          ? nested(2000)
          : Object.fromEntries(
              Array.from({ length: 1 + Math.floor(random() * 4) }, () => [
                pick(fields),
                pick(HOSTILE_VALUES),
              ]),
            );
      const contentType = pick(CONTENT_TYPES);
      const raw = random() < 0.1 ? '{"unterminated": ' : JSON.stringify(bodyValue);
      const headers: Record<string, string> = {};
      if (contentType) headers['content-type'] = contentType;
      if (random() < 0.7) headers.authorization = `Bearer ${user.token}`;
      if (random() < 0.1) headers['x-min-position'] = encoded(pick(HOSTILE_VALUES));
      const hasBody = method !== 'GET' && method !== 'DELETE';
      try {
        const response = await pool.request({
          method: method as 'GET',
          path: `${url}${query}`,
          headers,
          ...(hasBody ? { body: raw } : {}),
        });
        const text = await response.body.text();
        const type = String(response.headers['content-type'] ?? '');
        if (response.statusCode >= 500)
          failures.push(`${response.statusCode} ${method} ${url}${query} ${raw.slice(0, 60)}`);
        else if (response.statusCode >= 400 && !type.startsWith('application/problem+json'))
          failures.push(
            `no problem document: ${response.statusCode} ${method} ${url} (${type}) ${text.slice(0, 60)}`,
          );
      } catch (error) {
        failures.push(`${method} ${url}: ${String(error)}`);
      }
      done += 1;
    };
    // Sixteen at a time.
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (done + 16 <= TOTAL + 15 && done < TOTAL) await one();
      }),
    );
    await pool.close();
    expect(done).toBeGreaterThanOrEqual(TOTAL);
    expect(failures.slice(0, 20)).toEqual([]);
    expect((await t.http.get('/health/live')).status).toBe(200);
    expect(process.memoryUsage.rss() - before).toBeLessThan(400 * 2 ** 20);
  }, 240_000);

  it('over the socket: malformed frames change nothing and the node keeps serving', async () => {
    const user = await signUp(t.http, uniqueName('wsflood'));
    const random = seeded(7);
    const frames: (string | Buffer)[] = [
      'not json',
      '{',
      '[]',
      'null',
      '{"type":"typing"}',
      '{"type":"typing","conversationId":"x"}',
      '{"type":"typing","conversationId":"00000000-0000-0000-0000-000000000000"}',
      '{"type":"send","body":"\\u0000"}',
      '{"type":"nope"}',
      JSON.stringify(nested(500)),
      Buffer.from([0, 1, 2, 255]),
      'x'.repeat(10_000),
    ];
    const client = await TestClient.open(realtimeUrl(t.system.realtimePort!, user.token));
    for (let i = 0; i < 300; i++) client.send(frames[Math.floor(random() * frames.length)]!);
    client.send({ type: 'ping' });
    await client.untilFrame((frame) => frame.type === 'pong', 'pong after the flood');
    expect(client.closedWith).toBeUndefined();
    await client.close();
    const fresh = await TestClient.open(realtimeUrl(t.system.realtimePort!, user.token));
    fresh.send({ type: 'ping' });
    await fresh.untilFrame((frame) => frame.type === 'pong', 'a new connection');
    await fresh.close();
  });
});
