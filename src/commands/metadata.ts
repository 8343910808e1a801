import type { FastifyRequest } from 'fastify';
import type { EventMetadata } from '../eventstore/port.js';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * What every event a request causes carries: the correlation id (the client's `X-Correlation-Id`
 * when it sends a well-formed one, else the request id), the request as causation, the acting
 * user (from the verified token, never from the body), the time, and the W3C trace context.
 */
export function requestMetadata(request: FastifyRequest, now: Date): EventMetadata {
  const header = request.headers['x-correlation-id'];
  const correlationId = typeof header === 'string' && CORRELATION_ID.test(header) ? header : request.id;
  return {
    correlationId,
    causationId: request.id,
    ...(request.auth ? { userId: request.auth.userId } : {}),
    occurredAt: now.toISOString(),
    ...(request.traceparent === undefined ? {} : { traceparent: request.traceparent }),
  };
}
