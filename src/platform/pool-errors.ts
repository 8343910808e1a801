import type pg from 'pg';

interface WarnLogger {
  warn(object: object, message: string): void;
}

/**
 * An idle pooled connection that dies (server restart, terminated backend) must not crash the
 * process; it is logged, briefly (pg attaches the whole client to the error), unless the pool is
 * already ending, when connections going away is expected.
 */
export function logIdleConnectionErrors(pool: pg.Pool, logger: WarnLogger, message: string): void {
  pool.on('error', (error: Error & { code?: string }) => {
    if ((pool as pg.Pool & { ending?: boolean }).ending) return;
    logger.warn({ err: { message: error.message, code: error.code } }, message);
  });
}

/** Node socket errors that mean the server cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/**
 * Whether a pg error means the connection or server is gone (class 08 connection exception,
 * 57P01..57P03 shutdown / cannot connect now, or a socket failure) rather than a bad request.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error ? error.code : undefined;
  if (typeof code === 'string') {
    return (
      code.startsWith('08') ||
      code === '57P01' ||
      code === '57P02' ||
      code === '57P03' ||
      NETWORK_CODES.has(code)
    );
  }
  // node-postgres reports a connection closed under a query with a plain Error and no code.
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    error.message,
  );
}
