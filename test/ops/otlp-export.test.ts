import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem } from '../support/system.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

/** A stand-in OpenTelemetry collector: records what is posted to it. */
let collector: Server;
const received: { path: string | undefined; contentType: string | undefined; body: string }[] = [];
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  collector = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ path: request.url, contentType: request.headers['content-type'], body });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => collector?.close(resolve));
  await db?.drop();
});

describe('the OTLP exporter', () => {
  it('sends the spans to the configured endpoint, at the latest when the process stops', async () => {
    const { port } = collector.address() as AddressInfo;
    const system = await startTestSystem(db.url, {
      ROLES: 'commands,read-api',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_SERVICE_NAME: 'chat-under-test',
    });
    const answer = await fetch(`http://127.0.0.1:${system.httpPort}/v1/contacts`);
    expect(answer.status).toBe(401);
    // Health probes are not traced.
    expect((await fetch(`http://127.0.0.1:${system.httpPort}/health/live`)).status).toBe(200);
    await system.stop();
    const exported = received.find((request) => request.body.includes('GET /v1/contacts'));
    expect(received.some((request) => request.body.includes('/health/live'))).toBe(false);
    expect(exported?.path).toBe('/v1/traces');
    expect(exported?.contentType).toMatch(/^application\/json/);
    expect(exported?.body).toContain('chat-under-test');
  });
});
