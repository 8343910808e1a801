import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createEventStore } from '../../src/eventstore/create-event-store.js';
import { httpClient, signUp } from '../support/http-client.js';
import { createTestDatabase } from '../support/postgres.js';
import { startTestSystem, uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem();

describe('operations endpoints', () => {
  it('answers liveness, and readiness once the store, database and projections are fine', async () => {
    expect((await t.http.get('/health/live')).status).toBe(200);
    const user = await signUp(t.http, uniqueName('ops'));
    await t.http.get('/v1/contacts', {
      token: user.token,
      headers: { 'x-min-position': (await t.system.store.headPosition()).toString() },
    });
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ok',
      checks: { eventStore: { ok: true }, database: { ok: true }, projections: { ok: true } },
    });
  });

  it('is not ready when projections fall too far behind the log', async () => {
    // A system without the projections role: nothing moves the checkpoints.
    const db = await createTestDatabase();
    const system = await startTestSystem(db.url, { ROLES: 'commands,read-api' });
    try {
      const http = httpClient(`http://127.0.0.1:${system.httpPort}`);
      const fill = Array.from({ length: 1001 }, (_, i) => ({
        id: randomUUID(),
        type: 'OpsFiller',
        data: { i },
      }));
      // Written past the application's catalog, as another tool sharing the store might.
      const raw = await createEventStore({ url: db.url });
      await raw.appendToStream('ops-filler', fill);
      await raw.close();
      const response = await http.get('/health/ready');
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({
        status: 'unavailable',
        checks: { eventStore: { ok: true }, database: { ok: true }, projections: { ok: false } },
      });
      // A query that asks for a position the read models have not reached waits, then gets 503.
      const user = await signUp(http, `ops_${process.pid}`);
      const behind = await http.get('/v1/contacts', {
        token: user.token,
        headers: { 'x-min-position': (await system.store.headPosition()).toString() },
      });
      expect(behind.status).toBe(503);
      expect(behind.headers.get('retry-after')).toBe('1');
    } finally {
      await system.stop();
      await db.drop();
    }
  });

  it('exposes Prometheus metrics with request timings, log head and projection positions', async () => {
    await t.http.get('/health/live');
    const response = await fetch(`http://127.0.0.1:${t.system.httpPort}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(
      /chat_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} \d+/,
    );
    expect(text).toMatch(/chat_log_head_position \d+/);
    expect(text).toMatch(/chat_projection_position\{projection="history"\} \d+/);
    expect(text).toMatch(/chat_process_cpu_seconds_total/);
  });

  it('publishes the OpenAPI document and Swagger UI', async () => {
    const doc = await t.http.get<{ openapi: string; paths: Record<string, unknown> }>('/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const path of [
      '/v1/auth/register',
      '/v1/messages',
      '/v1/conversations/{conversationId}/messages',
      '/v1/blocks',
    ]) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
    const ui = await fetch(`http://127.0.0.1:${t.system.httpPort}/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
  });

  it('answers unknown routes with a problem document', async () => {
    const response = await t.http.get('/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
