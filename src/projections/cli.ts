import pg from 'pg';
import { createEventStore } from '../eventstore/create-event-store.js';
import type { EventStore } from '../eventstore/port.js';
import { openLog } from '../log.js';
import { openPersonalDataKeys } from '../platform/personal-data-keys.js';
import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';
import { allProjections, projectionNamed } from './all-projections.js';
import { RebuildAlreadyRunning, rebuildProjection } from './rebuild.js';
import { progressReporter } from './rebuild-progress.js';
import { checkpointStatus } from '../read-models/checkpoints.js';
import { migrateReadModels } from '../read-models/migrations.js';
import { shadowPositions } from './shadow.js';

/** A command line the program does not understand: answered with what it does understand, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command that could not do its work; its message is for the operator (exit 1). */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
}

type Checkpoints = Awaited<ReturnType<typeof checkpointStatus>>;

/** How far `status` counts the events a projection is behind; past it, it says "more than". */
const LAG_LIMIT = 10_000;

const known = () => `known projections: ${allProjections.map((projection) => projection.name).join(', ')}`;

export interface ProjectionsOptions {
  readonly restart?: boolean;
  readonly batchSize?: number;
}

/** `projections status` and `projections rebuild <name>`. */
export async function projectionsCommand(
  config: Config,
  logger: Logger,
  args: readonly string[],
  options: ProjectionsOptions = {},
): Promise<void> {
  const [command, name, ...extra] = args;
  if (command !== 'status' && command !== 'rebuild') {
    throw new UsageError(
      `${command === undefined ? 'missing' : `unknown projections command "${command}"`}: use status, or rebuild <name>`,
    );
  }
  if (command === 'rebuild' && name === undefined) throw new UsageError(`rebuild what? ${known()}`);
  const projection = command === 'rebuild' ? projectionNamed(name!) : undefined;
  if (command === 'rebuild' && !projection) throw new UsageError(`unknown projection "${name}"; ${known()}`);
  if ((command === 'status' && name !== undefined) || extra.length > 0) {
    throw new UsageError(`unexpected argument "${command === 'status' ? name : extra[0]}"`);
  }
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 3 });
  let store: EventStore | undefined;
  const openStore = async () => (store = await createEventStore({ url: config.eventStoreUrl, logger }));
  try {
    if (projection === undefined) {
      const checkpoints = await readCheckpoints(pool);
      process.stdout.write(await statusTable(pool, await openStore(), checkpoints));
      return;
    }
    await migrateReadModels(pool);
    await openStore();
    const stop = new AbortController();
    const interrupt = () =>
      stop.abort(new CommandFailed('interrupted; the same command resumes the rebuild'));
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    try {
      const position = await rebuildProjection(projection, {
        // The keys open what the log holds sealed; without them sealed events could not be read.
        store: openLog(store!, logger, await openPersonalDataKeys(pool, config.personalDataMasterKey)),
        pool,
        restart: options.restart,
        batchSize: options.batchSize,
        onProgress: progressReporter(process.stderr),
        signal: stop.signal,
      });
      process.stdout.write(`rebuilt ${projection.name} up to position ${position}\n`);
    } catch (error) {
      if (process.stderr.isTTY) process.stderr.write('\n'); // past the progress bar
      if (error instanceof RebuildAlreadyRunning) throw new CommandFailed(error.message);
      throw error;
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
  } finally {
    await store?.close();
    await pool.end();
  }
}

async function readCheckpoints(pool: pg.Pool): Promise<Checkpoints> {
  try {
    return await checkpointStatus(pool);
  } catch (error) {
    if ((error as { code?: unknown }).code === '42P01') {
      throw new CommandFailed('no read models in this database yet: run `migrate` (or start the system)');
    }
    throw error;
  }
}

/** Each projection's checkpoint, how many events it is behind the head, and any rebuild under way. */
async function statusTable(pool: pg.Pool, store: EventStore, checkpoints: Checkpoints): Promise<string> {
  const [head, shadows] = await Promise.all([store.headPosition(), shadowPositions(pool, allProjections)]);
  const table = [['projection', 'position', 'behind', 'updated', 'rebuild']];
  // Projections led together share a checkpoint: one read each position.
  const reads = new Map<bigint, Promise<readonly unknown[]>>();
  const eventsAfter = (position: bigint) => {
    if (!reads.has(position))
      reads.set(position, store.readAll({ after: position, maxCount: LAG_LIMIT + 1 }));
    return reads.get(position)!;
  };
  for (const projection of allProjections) {
    const checkpoint = checkpoints.get(projection.name);
    const position = checkpoint?.position ?? 0n;
    // Counted in events, not by subtracting positions (EventStoreDB's are byte offsets).
    const ahead = await eventsAfter(position);
    const shadow = shadows.get(projection.name);
    table.push([
      projection.name,
      position.toString(),
      ahead.length > LAG_LIMIT ? `>${LAG_LIMIT}` : String(ahead.length),
      checkpoint ? checkpoint.updatedAt.toISOString() : 'never',
      shadow === undefined ? '-' : `shadow at ${shadow}`,
    ]);
  }
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const lines = table.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
  return `log head: ${head}\n${lines.join('\n')}\n`;
}
