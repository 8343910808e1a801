import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/*
 * OpenTelemetry tracing, off unless an OTLP endpoint is configured (or a test passes an exporter).
 * Off means `Tracing` is undefined and every helper below calls its function straight away: no
 * span objects, no context lookups, no clock reads.
 *
 * Trace context travels explicitly, not through an async context manager: the HTTP span's
 * `traceparent` goes into the metadata of the events a request appends, and whoever reads those
 * events from the log (projections, realtime nodes, in this process or another) starts its span
 * from there. The same path works in one process and across many.
 */

export interface TracingOptions {
  /** Where spans go: an OTLP/HTTP traces URL (`…/v1/traces`). */
  readonly otlpTracesUrl?: string;
  /** Spans go here instead (tests: an InMemorySpanExporter), exported at once. */
  readonly exporter?: SpanExporter;
  readonly serviceName: string;
  /** Share of new traces recorded (0–1); a trace continued from a caller follows the caller's choice. */
  readonly sampleRatio?: number;
  /** Extra resource attributes (the roles this process runs, say). */
  readonly attributes?: Attributes;
}

export interface Tracing {
  readonly tracer: Tracer;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** The tracer for the options, or undefined when no exporter is configured (tracing off). */
export function createTracing(options: TracingOptions): Tracing | undefined {
  const exporter =
    options.exporter ??
    (options.otlpTracesUrl === undefined ? undefined : new OTLPTraceExporter({ url: options.otlpTracesUrl }));
  if (!exporter) return undefined;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName, ...options.attributes }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio ?? 1) }),
    spanProcessors: [options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  return { tracer: provider.getTracer('chat-backend'), shutdown: () => provider.shutdown() };
}

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A well-formed W3C `traceparent` (version 00, not all-zero ids), else undefined. */
export function validTraceparent(value: unknown): string | undefined {
  if (typeof value !== 'string' || !TRACEPARENT.test(value)) return undefined;
  return parseTraceParent(value) ? value : undefined;
}

/** The W3C `traceparent` of a span, for the metadata of the events it appends. */
export function traceparentOf(span: Span): string {
  const context = span.spanContext();
  return `00-${context.traceId}-${context.spanId}-0${(context.traceFlags & 1).toString(16)}`;
}

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /** The caller's `traceparent` (a header, an event's metadata): the span continues that trace. */
  readonly parent?: string;
  /** Other traces the span belongs to (a batch of events from many requests). */
  readonly links?: readonly SpanContext[];
}

/** Starts a span (the caller ends it). */
export function startSpan(tracing: Tracing, name: string, options: SpanOptions = {}): Span {
  const remote = options.parent === undefined ? null : parseTraceParent(options.parent);
  const parentContext = remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
  const links: Link[] | undefined = options.links?.map((context) => ({ context }));
  return tracing.tracer.startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
      ...(links ? { links } : {}),
    },
    parentContext,
  );
}

/** Ends a span, marking it failed when `error` is given. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * Runs `fn` in a span (sync or async; the span ends when it returns or settles). Without tracing,
 * `fn` runs as it is and `options` (a function, so that nothing is computed) is never called.
 */
export function withSpan<T>(
  tracing: Tracing | undefined,
  name: string,
  options: () => SpanOptions,
  fn: (span: Span | undefined) => T,
): T {
  if (!tracing) return fn(undefined);
  const span = startSpan(tracing, name, options());
  let result: T;
  try {
    result = fn(span);
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        endSpan(span);
        return value;
      },
      (error: unknown) => {
        endSpan(span, error);
        throw error;
      },
    ) as T;
  }
  endSpan(span);
  return result;
}

/** An event read from the log: its metadata may hold the `traceparent` of the command that appended it. */
type LoggedEvent = { readonly metadata: Readonly<Record<string, unknown>> };

/** The most traces one span links to (the SDK's default link limit). */
const MAX_LINKS = 128;

/**
 * Where a span over events read from the log belongs: the trace of the command that appended
 * them. One trace among the events: the span is its child; several: a new trace linking to each.
 */
export function spanOptionsFromEvents(events: readonly LoggedEvent[], attributes?: Attributes): SpanOptions {
  const contexts = new Map<string, SpanContext>();
  for (const event of events) {
    const traceparent = validTraceparent(event.metadata.traceparent);
    const context = traceparent === undefined ? null : parseTraceParent(traceparent);
    if (context && !contexts.has(traceparent!)) contexts.set(traceparent!, context);
    if (contexts.size >= MAX_LINKS) break;
  }
  const base = { kind: SpanKind.CONSUMER, ...(attributes ? { attributes } : {}) };
  if (contexts.size === 1) return { ...base, parent: [...contexts.keys()][0]! };
  return contexts.size === 0 ? base : { ...base, links: [...contexts.values()] };
}

/**
 * Runs `fn` in a span over events read from the log, continuing their traces (see
 * `spanOptionsFromEvents`); with tracing off, or no events, `fn` runs as it is.
 */
export function withEventsSpan<T>(
  tracing: Tracing | undefined,
  name: string,
  events: () => readonly LoggedEvent[],
  attributes: Attributes,
  fn: () => T,
): T {
  if (!tracing) return fn();
  const list = events();
  if (list.length === 0) return fn();
  return withSpan(
    tracing,
    name,
    () => spanOptionsFromEvents(list, { ...attributes, 'chat.events': list.length }),
    fn,
  );
}
