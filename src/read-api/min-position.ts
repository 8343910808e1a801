import type { FastifyRequest } from 'fastify';
import { HttpError, notReady } from '../platform/problems.js';
import type { PositionWatcher } from './position-watcher.js';

const POSITION = /^[0-9]{1,20}$/;

/**
 * An onRequest hook for queries: with `X-Min-Position`, the answer waits until the read models
 * reflect every event up to that position, or is 503 with Retry-After after `timeoutMs`.
 */
export function minPositionHook(watcher: PositionWatcher, timeoutMs: number) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers['x-min-position'];
    if (header === undefined || request.method !== 'GET') return;
    const value = Array.isArray(header) ? header[0] : header;
    if (value === undefined || !POSITION.test(value) || BigInt(value) > 2n ** 63n - 1n) {
      throw new HttpError(400, 'invalid_min_position', 'X-Min-Position must be a decimal log position');
    }
    if (!(await watcher.waitFor(BigInt(value), timeoutMs))) {
      throw notReady(`the read models have not reached position ${value} yet`);
    }
  };
}
