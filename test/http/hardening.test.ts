import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, signUp } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem, PROBLEM_JSON, uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem();

/** Sends raw bytes and returns the raw answer (for requests fetch would not send). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('answers that give nothing away', () => {
  it('are never sniffed, and never cached when they belong to a signed-in caller', async () => {
    const user = await signUp(t.http, uniqueName('hdr'));
    const mine = await t.http.get('/v1/contacts', { token: user.token });
    expect(mine.headers.get('cache-control')).toBe('no-store');
    expect(mine.headers.get('x-content-type-options')).toBe('nosniff');
    const open = await t.http.get('/health/live');
    expect(open.headers.get('x-content-type-options')).toBe('nosniff');
    expect(open.headers.get('cache-control')).toBeNull();
  });

  it('refuses an oversized header block with a 431 problem document', async () => {
    const answer = await rawRequest(
      t.system.httpPort!,
      `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431 });
  });

  it('serves Swagger UI with a content security policy', async () => {
    const docs = await fetch(`http://127.0.0.1:${t.system.httpPort}/docs/static/index.html`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-security-policy')).toMatch(/default-src/);
  });
});

describe('in production', () => {
  let database: TestDatabase;
  let system: RunningSystem;
  beforeAll(async () => {
    database = await createTestDatabase('prod_ops');
    system = await startTestSystem(database.url, { NODE_ENV: 'production', MAIL_TO_LOG: 'true' });
  });
  afterAll(async () => {
    await system?.stop();
    await database?.drop();
  });

  it('keeps /metrics and /docs off the public port unless OPS_ENDPOINTS=true', async () => {
    const http = httpClient(`http://127.0.0.1:${system.httpPort}`);
    expect((await http.get('/metrics')).status).toBe(404);
    expect((await http.get('/docs')).status).toBe(404);
    const document = await http.get('/openapi.json');
    expect(document.status).toBe(200);
    expect((await http.get('/nope')).headers.get('content-type')).toMatch(PROBLEM_JSON);
  });
});
