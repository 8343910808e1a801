import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { SpanKind, type Span } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '../platform/logger.js';
import { HttpError, mapError, problem } from './problems.js';
import { findNonFiniteNumber, findUnstorableText } from '../platform/text.js';
import { endSpan, startSpan, traceparentOf, validTraceparent, type Tracing } from '../platform/tracing.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The W3C trace context the request's events carry: its span's when tracing is on, else the
     * caller's `traceparent` header if well-formed.
     */
    traceparent: string | undefined;
  }
}

export type HttpApp = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger, TypeBoxTypeProvider>;

const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** A caller's request id is kept when it is this safe to log and echo; otherwise one is made. */
const REQUEST_ID = /^[A-Za-z0-9._:=+/-]{1,128}$/;

/** The caller's `X-Request-Id` when well-formed, else a new UUID. */
export function requestIdFor(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** The one way every failure reaches a client: an RFC 9457 problem document. */
function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = mapError(error);
  // Router refusals reach here before any hook has run.
  void reply.header('x-request-id', request.id);
  if (mapped.unexpected) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: mapped.problem.type, status: mapped.problem.status }, 'request refused');
  void reply
    .status(mapped.problem.status)
    .headers(mapped.headers)
    .type(PROBLEM_CONTENT_TYPE)
    .send(mapped.problem);
}

/** A hook that refuses (400) a request in any part of which `find` finds something. */
function refuseAny(find: (value: unknown) => string | undefined, message: string) {
  return async (request: FastifyRequest): Promise<void> => {
    for (const [part, value] of [
      ['body', request.body],
      ['querystring', request.query],
      ['params', request.params],
    ] as const) {
      const path = find(value);
      if (path !== undefined) {
        throw new HttpError('validation', 'the request is not valid', {}, [
          { path: `/${part}${path === '/' ? '' : path}`, message },
        ]);
      }
    }
  };
}

/** A fastify instance with the TypeBox provider, problem+json errors and the OpenAPI document. */
export async function createHttpApp(options: {
  logger: Logger;
  trustProxy?: boolean | string;
  /** Serve Swagger UI at /docs (the OpenAPI document at /openapi.json is always served). */
  docs?: boolean;
  /** One span per request when tracing is on. */
  tracing?: Tracing | undefined;
}): Promise<HttpApp> {
  const app = Fastify({
    loggerInstance: options.logger,
    // Router refusals (a malformed or over-long path segment) get the same problem documents.
    frameworkErrors: (error, request, reply) => sendProblem(error, request, reply),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 64 * 1024,
    // X-Request-Id is taken only when well-formed (genReqId checks it), never as it comes.
    requestIdHeader: false,
    genReqId: requestIdFor,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true },
    },
    // What Node's parser refuses (a header block too large, a malformed request line) gets a
    // problem document too, written straight to the socket.
    clientErrorHandler: (error: Error & { code?: string }, socket) => {
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const body = JSON.stringify(
        problem(status === 431 ? 'headers_too_large' : 'bad_request', 'the request could not be read'),
      );
      // The request could not be parsed, so its X-Request-Id cannot be read: the answer gets a new one.
      const requestId = randomUUID();
      options.logger.debug({ reqId: requestId, code: error.code, status }, 'unreadable request refused');
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
            `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
            `X-Request-Id: ${requestId}\r\n` +
            `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
        );
      } else socket.destroy(error);
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpApp;

  app.decorateRequest('traceparent', undefined);
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    const traceparent = request.headers.traceparent;
    if (traceparent !== undefined) request.traceparent = validTraceparent(traceparent);
    done();
  });
  if (options.tracing) traceRequests(app, options.tracing);

  await app.register(formbody, { bodyLimit: 16 * 1024 });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Chat backend', version: '1', description: 'Event-sourced CQRS chat backend' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  if (options.docs ?? true) await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Text PostgreSQL cannot store (NUL, unpaired surrogates) is refused at the door, in every part
  // of every request, before any route sees it; and since coercion turns "1e309" into Infinity,
  // which the schemas' integer checks let through, so is a number that is not finite.
  app.addHook('preValidation', refuseAny(findUnstorableText, 'must not hold NUL or an unpaired surrogate'));
  app.addHook('preHandler', refuseAny(findNonFiniteNumber, 'must be a finite number'));
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
    // An answer for a signed-in caller is theirs alone: no cache may keep it.
    if (request.headers.authorization !== undefined && !reply.hasHeader('cache-control')) {
      void reply.header('cache-control', 'no-store');
    }
  });
  app.setErrorHandler(sendProblem);
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .type(PROBLEM_CONTENT_TYPE)
      .send(problem('route_not_found', `no route for ${request.method} ${request.url.split('?')[0]}`));
  });
  return app;
}

/**
 * A server span per request, continuing the caller's `traceparent`; the request's events carry
 * the span's own context, so what follows from the log joins this trace.
 */
function traceRequests(app: HttpApp, tracing: Tracing): void {
  const spans = new WeakMap<FastifyRequest, Span>();
  const end = (request: FastifyRequest, status: number | undefined): void => {
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    if (status === undefined) span.setAttribute('chat.aborted', true);
    else span.setAttribute('http.response.status_code', status);
    endSpan(span, status !== undefined && status >= 500 ? `status ${status}` : undefined);
  };
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    // Probes and scrapes, every few seconds from every balancer, would drown the traces that matter.
    if (route === '/metrics' || route?.startsWith('/health/')) return;
    const span = startSpan(tracing, route === undefined ? request.method : `${request.method} ${route}`, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': request.method,
        'url.path': request.url.split('?')[0] ?? '',
        'chat.request_id': request.id,
        ...(route === undefined ? {} : { 'http.route': route }),
      },
      ...(request.traceparent === undefined ? {} : { parent: request.traceparent }),
    });
    spans.set(request, span);
    request.traceparent = traceparentOf(span);
  });
  app.addHook('onResponse', async (request, reply) => end(request, reply.statusCode));
  app.addHook('onRequestAbort', async (request) => end(request, undefined));
}
