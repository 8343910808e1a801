import { parseArgs } from 'node:util';
import pg from 'pg';
import { catalogPersonalData, openLog } from './log.js';
import { reapplyErasures } from './eventstore/personal-data.js';
import { openPersonalDataKeys } from './platform/personal-data-keys.js';
import { createEventStore } from './eventstore/create-event-store.js';
import { ConfigError, loadConfig, parseRoles, type Config } from './platform/config.js';
import { createLogger, type Logger } from './platform/logger.js';
import { allProjections, projectionNamed } from './projections/all-projections.js';
import { rebuildProjection } from './projections/rebuild.js';
import { migrateReadModels } from './projections/schema.js';
import { migrateAll, startSystem } from './system.js';

const USAGE = `usage:
  main [serve] [--roles commands,read-api,projections,realtime]   start roles (default: all)
  main migrate                                                     create the schemas and exit
  main projections rebuild <name>                                  replay the log into a projection
  main projections status                                          show each projection's position
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

async function projectionsCommand(config: Config, logger: Logger, args: string[]): Promise<void> {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  try {
    await migrateReadModels(pool);
    if (args[0] === 'status') {
      const { rows } = await pool.query(
        'SELECT name, position, updated_at FROM projection_checkpoints ORDER BY name',
      );
      for (const row of rows)
        process.stdout.write(`${row.name}\t${row.position}\t${row.updated_at.toISOString()}\n`);
      return;
    }
    const projection = args[0] === 'rebuild' && args[1] ? projectionNamed(args[1]) : undefined;
    if (!projection) throw new ConfigError(USAGE);
    const keys = await openPersonalDataKeys(pool, config.personalDataMasterKey);
    const store = openLog(await createEventStore({ url: config.eventStoreUrl, logger }), logger, keys);
    try {
      const position = await rebuildProjection(projection, { store, pool });
      process.stdout.write(`rebuilt ${projection.name} up to position ${position}\n`);
    } finally {
      await store.close();
    }
  } finally {
    await pool.end();
  }
}

async function erasuresCommand(config: Config, logger: Logger, args: string[]): Promise<void> {
  if (args[0] !== 'reapply') throw new ConfigError(USAGE);
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
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { roles: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
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
      return projectionsCommand(config, logger, rest);
    case 'erasures':
      return erasuresCommand(config, logger, rest);
    default:
      throw new ConfigError(USAGE);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
