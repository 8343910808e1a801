import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { startSystem, type RunningSystem } from '../../src/system.js';
import { httpClient, signUp, type HttpClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { testConfig } from '../support/system.js';
import { TestClient, realtimeUrl } from '../support/ws-client.js';
import { eventually, projectionsAtHead } from './support.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

let db: TestDatabase;
let system: RunningSystem;
let http: HttpClient;
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  db = await createTestDatabase();
  const config = testConfig(db.url);
  system = await startSystem(config, createLogger(config.logLevel), { traceExporter: exporter });
  http = httpClient(`http://127.0.0.1:${system.httpPort}`);
});

afterAll(async () => {
  await system?.stop();
  await db?.drop();
});

const inTrace =
  (name: string, attributes: Record<string, string> = {}) =>
  (span: ReadableSpan) =>
    span.name === name &&
    span.spanContext().traceId === TRACE_ID &&
    Object.entries(attributes).every(([key, value]) => span.attributes[key] === value);

describe('tracing through the log', () => {
  it('follows one send from the HTTP request through the append and the projections to the frame', async () => {
    const alice = await signUp(http, 'alice');
    const bob = await signUp(http, 'bob');
    const bobLive = await TestClient.open(realtimeUrl(system.realtimePort!, bob.token));
    // Every earlier event projected: the send's batch then holds the send's events alone.
    await projectionsAtHead(system);

    const sent = await http.post(
      '/v1/messages',
      { to: 'bob', body: 'traced' },
      { token: alice.token, headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` } },
    );
    expect(sent.status).toBe(201);
    await bobLive.next((frame) => frame.type === 'message.sent' && frame.position === sent.body.position);

    const spans = await eventually(() => {
      const finished = exporter.getFinishedSpans();
      const found = {
        request: finished.find(inTrace('POST /v1/messages')),
        command: finished.find(inTrace('command SendMessage')),
        history: finished.find(inTrace('projection history')),
        fanOut: finished.find(inTrace('realtime fan-out', { 'chat.frame.type': 'message.sent' })),
      };
      return Object.values(found).every(Boolean) ? found : undefined;
    }, 'the spans of the send');

    // The request continues the caller's trace; the append is its child; projections and the
    // realtime node continue from what the log stored.
    expect(spans.request!.kind).toBe(SpanKind.SERVER);
    expect(spans.request!.parentSpanContext?.spanId).toBe(CALLER_SPAN_ID);
    expect(spans.request!.attributes['http.response.status_code']).toBe(201);
    expect(spans.command!.parentSpanContext?.spanId).toBe(spans.request!.spanContext().spanId);
    const commandSpanId = spans.command!.spanContext().spanId;
    expect(spans.history!.parentSpanContext?.spanId).toBe(commandSpanId);
    expect(spans.fanOut!.parentSpanContext?.spanId).toBe(commandSpanId);

    const stored = (await system.store.readAll({ maxCount: 1000 })).find(
      (event) => event.position === BigInt(sent.body.position as string),
    );
    expect(stored?.metadata.traceparent).toBe(`00-${TRACE_ID}-${commandSpanId}-01`);
    await bobLive.close();
  });

  it('starts a trace of its own for a request without traceparent, and ignores a malformed one', async () => {
    const carol = await signUp(http, 'carol');
    const before = exporter.getFinishedSpans().length;
    const answer = await http.get('/v1/auth/verify', {
      token: carol.token,
      headers: { traceparent: '00-not-a-trace-01' },
    });
    expect(answer.status).toBe(200);
    const span = await eventually(
      () =>
        exporter
          .getFinishedSpans()
          .slice(before)
          .find((s) => s.name === 'GET /v1/auth/verify'),
      'the request span',
    );
    expect(span.parentSpanContext).toBeUndefined();
  });
});
