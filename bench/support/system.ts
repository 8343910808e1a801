import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { startSystem, type RunningSystem } from '../../src/system.js';

/** Every role in this process, on free ports, as `npm start` runs it (logging off). */
export function startBenchSystem(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<RunningSystem> {
  const config = loadConfig({
    NODE_ENV: 'development',
    // A load test: everyone signs up from 127.0.0.1 and sends as fast as asked (0 turns a limit off).
    REGISTRATIONS_PER_IP_PER_HOUR: '0',
    SEND_RATE_PER_MINUTE: '0',
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    REALTIME_PORT: '0',
    JWT_SECRET: 'benchmark-secret-that-is-long-enough-for-hs256',
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'silent',
    ...env,
  });
  return startSystem(config, createLogger(config.logLevel));
}
