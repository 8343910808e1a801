import { parseArgs } from 'node:util';
import pg from 'pg';
import { catalogPersonalData } from './log.js';
import { reapplyErasures } from './eventstore/personal-data.js';
import { openPersonalDataKeys } from './platform/personal-data-keys.js';
import { createEventStore } from './eventstore/create-event-store.js';
import { ConfigError, loadConfig, parseRoles, type Config } from './platform/config.js';
import { createLogger, type Logger } from './platform/logger.js';
import { allProjections } from './projections/all-projections.js';
import { CommandFailed, projectionsCommand, UsageError } from './projections/cli.js';
import { migrateAll, startSystem } from './system.js';

const USAGE = `usage:
  main [serve] [--roles commands,read-api,projections,realtime]   start roles (default: all)
  main migrate                                                     create the schemas and exit
  main projections status                                          each projection's position and lag
  main projections rebuild <name> [--restart] [--batch-size N]     rebuild one from the log, blue/green;
                                                   resumes an interrupted rebuild unless --restart
  main erasures reapply                                            destroy again the keys the log's erasures
                                                                   destroyed (after restoring the keys table)
projections: ${allProjections.map((projection) => projection.name).join(', ')}`;

async function serve(config: Config, logger: Logger): Promise<void> {
  if (config.jwtSecretIsDevelopmentDefault) {
    logger.warn('JWT_SECRET is not set: using the development secret; set JWT_SECRET in any real deployment');
  }
  const system = await startSystem(config, logger);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    void system.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        roles: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        restart: { type: 'boolean' },
        'batch-size': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
}

function batchSize(value: string): number {
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > 100_000) {
    throw new UsageError(`--batch-size must be a whole number from 1 to 100000, not "${value}"`);
  }
  return size;
}

async function erasuresCommand(config: Config, logger: Logger, args: string[]): Promise<void> {
  if (args[0] !== 'reapply') throw new UsageError(USAGE);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  const store = await createEventStore({ url: config.eventStoreUrl, logger });
  try {
    const keys = await openPersonalDataKeys(pool, config.personalDataMasterKey);
    const applied = await reapplyErasures(store, catalogPersonalData, keys);
    process.stdout.write(`${applied} erasures applied again\n`);
  } finally {
    await store.close();
    await pool.end();
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const base = loadConfig();
  const config = values.roles ? Object.freeze({ ...base, roles: parseRoles(values.roles) }) : base;
  const logger = createLogger(config.logLevel);
  const [command = 'serve', ...rest] = positionals;
  switch (command) {
    case 'serve':
      return serve(config, logger);
    case 'migrate':
      await migrateAll(config, logger);
      process.stdout.write('schemas are up to date\n');
      return;
    case 'projections':
      return projectionsCommand(config, logger, rest, {
        restart: values.restart,
        batchSize: values['batch-size'] === undefined ? undefined : batchSize(values['batch-size']),
      });
    case 'erasures':
      return erasuresCommand(config, logger, rest);
    default:
      throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(error.message);
    process.exit(2);
  }
  if (error instanceof ConfigError || error instanceof CommandFailed) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
