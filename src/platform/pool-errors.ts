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
