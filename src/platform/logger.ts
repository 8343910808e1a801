import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths that must never reach a log line, whatever logs them. */
const REDACTED = [
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'access_token',
  'refresh_token',
  '*.access_token',
  '*.refresh_token',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACTED, censor: '[redacted]' } });
}
