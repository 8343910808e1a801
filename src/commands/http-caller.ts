import type { FastifyRequest } from 'fastify';
import { caller } from '../http/authenticate.js';
import type { Caller } from './messaging.js';
import { requestMetadata } from './metadata.js';

/** The authenticated caller of a request, as the use cases take it. */
export function httpCaller(request: FastifyRequest): Caller {
  return { userId: caller(request).userId, metadata: (now) => requestMetadata(request, now) };
}
