import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import {
  createTracing,
  spanOptionsFromEvents,
  traceparentOf,
  validTraceparent,
  withEventsSpan,
  withSpan,
} from './tracing.js';

const A = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const B = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const event = (traceparent?: unknown) => ({ metadata: traceparent === undefined ? {} : { traceparent } });

describe('tracing', () => {
  it('is off without an exporter: functions run as they are and nothing is computed for spans', async () => {
    expect(createTracing({ serviceName: 'test' })).toBeUndefined();
    const never = () => {
      throw new Error('span options were computed with tracing off');
    };
    expect(withSpan(undefined, 'name', never, (span) => span)).toBeUndefined();
    await expect(withSpan(undefined, 'name', never, async () => 42)).resolves.toBe(42);
    expect(withEventsSpan(undefined, 'name', never, {}, () => 'ran')).toBe('ran');
  });

  it('takes only well-formed W3C traceparents', () => {
    expect(validTraceparent(A)).toBe(A);
    for (const bad of [
      undefined,
      42,
      '',
      A.toUpperCase(),
      `${A} `,
      '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
    ]) {
      expect(validTraceparent(bad)).toBeUndefined();
    }
  });

  it('continues one stored trace as its child, and links to several', () => {
    expect(spanOptionsFromEvents([event(A), event(A), event()]).parent).toBe(A);
    const both = spanOptionsFromEvents([event(A), event(B), event('garbage')]);
    expect(both.parent).toBeUndefined();
    expect(both.links?.map((link) => link.traceId)).toEqual([A.slice(3, 35), B.slice(3, 35)]);
    const none = spanOptionsFromEvents([event(), event('garbage')]);
    expect(none.parent).toBeUndefined();
    expect(none.links).toBeUndefined();
  });

  it('records spans that continue the given parent and end when the work settles', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing({ serviceName: 'test', exporter })!;
    let inner: string | undefined;
    await withSpan(
      tracing,
      'outer',
      () => ({ parent: A }),
      async (span) => {
        inner = traceparentOf(span!);
        await withEventsSpan(
          tracing,
          'child',
          () => [event(inner)],
          {},
          async () => undefined,
        );
      },
    );
    expect(() =>
      withSpan(
        tracing,
        'failing',
        () => ({}),
        () => {
          throw new Error('boom');
        },
      ),
    ).toThrow('boom');
    const spans = exporter.getFinishedSpans();
    const byName = new Map(spans.map((span) => [span.name, span]));
    expect(byName.get('outer')?.spanContext().traceId).toBe(A.slice(3, 35));
    expect(byName.get('outer')?.parentSpanContext?.spanId).toBe(A.slice(36, 52));
    expect(byName.get('child')?.parentSpanContext?.spanId).toBe(byName.get('outer')?.spanContext().spanId);
    expect(inner).toBe(`00-${A.slice(3, 35)}-${byName.get('outer')?.spanContext().spanId}-01`);
    expect(byName.get('failing')?.status.code).toBe(2);
    await tracing.shutdown();
  });
});
