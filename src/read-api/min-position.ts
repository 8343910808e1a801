import type { FastifyRequest } from 'fastify';
import { HttpError, notReady } from '../http/problems.js';
import type { PositionWatcher } from './position-watcher.js';

const POSITION = /^[0-9]{1,20}$/;

/**
 * An onRequest hook for queries: with `X-Min-Position`, the answer waits until the read models
 * reflect every event up to that position, or is 503 with Retry-After after `timeoutMs`.
 */
export function minPositionHook(
  watcher: PositionWatcher,
  timeoutMs: number,
  /** What the log has certainly reached (cheap), and its head (a query), for positions beyond it. */
  log: { readonly knownPosition: () => bigint; readonly headPosition: () => Promise<bigint> },
) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers['x-min-position'];
    if (header === undefined || request.method !== 'GET') return;
    const value = Array.isArray(header) ? header[0] : header;
    if (value === undefined || !POSITION.test(value) || BigInt(value) > 2n ** 63n - 1n) {
      throw new HttpError('invalid_min_position', 'X-Min-Position must be a decimal log position');
    }
    const position = BigInt(value);
    // No command ever returned a position past the head: waiting for one would only time out.
    if (position > log.knownPosition() && position > (await log.headPosition())) {
      throw new HttpError('invalid_min_position', 'X-Min-Position is beyond the head of the log');
    }
    if (!(await watcher.waitFor(position, timeoutMs))) {
      throw notReady(`the read models have not reached position ${value} yet`);
    }
  };
}
