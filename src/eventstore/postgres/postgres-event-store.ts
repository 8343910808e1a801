import pg, { type Pool } from 'pg';
import { logIdleConnectionErrors } from '../../platform/pool-errors.js';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventStoreLogger,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StoreIdentity,
  SubscribeOptions,
} from '../port.js';
import { encodeAppend } from './append-rules.js';
import { AppendBatcher } from './append-batch.js';
import { AppendNotifications } from './notifications.js';
import { RecentAppends } from './recent-appends.js';
import { translateReadError } from './pg-errors.js';
import { headPosition, readAll, readStream, storeIdentity } from './read.js';
import { migrate } from './schema.js';
import { subscribeToAll, type SubscriptionContext } from './subscription.js';

interface CommonOptions {
  readonly logger?: EventStoreLogger;
  /** LISTEN for append notifications (default true). Turn off where LISTEN cannot work, e.g. behind a transaction-pooling PgBouncer. */
  readonly listen?: boolean;
  /** Fallback poll of idle subscriptions, in ms (default 1000). */
  readonly pollIntervalMs?: number;
  /** Events a subscription reads per query (default 500). */
  readonly subscriptionBatchSize?: number;
  /** Most appends committed together in one statement (default 100; 1 turns group commit off). */
  readonly maxAppendBatchSize?: number;
}

export type PostgresEventStoreOptions = CommonOptions &
  (
    | {
        /** The store creates, owns and closes its own pool. */
        readonly connectionString: string;
        readonly poolSize?: number;
        readonly pool?: undefined;
      }
    | {
        /** A pool shared with the caller: the store takes connections from it and leaves it open on close. */
        readonly pool: Pool;
        readonly connectionString?: undefined;
      }
  );

const consoleLogger: EventStoreLogger = {
  warn: (context, message) => console.warn(message, context),
  error: (context, message) => console.error(message, context),
};

class PostgresEventStore implements EventStore {
  readonly #pool: Pool;
  readonly #ownsPool: boolean;
  readonly #appends: AppendBatcher;
  /** What this instance committed lately, served to its subscriptions without a read. */
  readonly #recent = new RecentAppends(10_000);
  readonly #notifications: AppendNotifications;
  readonly #subscriptions: SubscriptionContext;
  readonly #closing = new AbortController();

  constructor(pool: Pool, ownsPool: boolean, options: CommonOptions) {
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.#appends = new AppendBatcher(pool, options.maxAppendBatchSize ?? 100, (events) => {
      this.#recent.add(events);
      this.#notifications.poke(events.at(-1)!.position);
    });
    this.#notifications = new AppendNotifications({
      pool,
      logger: options.logger ?? consoleLogger,
      enabled: options.listen ?? true,
    });
    this.#subscriptions = {
      pool,
      notifications: this.#notifications,
      batchSize: options.subscriptionBatchSize ?? 500,
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      recent: this.#recent,
      currentAppend: () => this.#appends.currentStatement(),
      closing: this.#closing.signal,
    };
  }

  async appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    this.#assertOpen();
    return this.#appends.append(
      encodeAppend(streamName, events, options.expectedRevision ?? 'any', options.sealingKeys),
    );
  }

  async readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.#assertOpen();
    return readStream(this.#pool, streamName, options);
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    this.#assertOpen();
    return readAll(this.#pool, options);
  }

  async headPosition(): Promise<bigint> {
    this.#assertOpen();
    return headPosition(this.#pool);
  }

  subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    this.#assertOpen();
    return subscribeToAll(this.#subscriptions, options);
  }

  async identity(): Promise<StoreIdentity> {
    this.#assertOpen();
    return storeIdentity(this.#pool);
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    try {
      await this.#pool.query('SELECT 1');
    } catch (error) {
      throw translateReadError(error);
    }
  }

  /** Ends subscriptions, lets queued appends finish, then closes the pool if the store owns it. */
  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    await this.#appends.settled();
    await this.#notifications.close();
    if (this.#ownsPool) await this.#pool.end();
  }

  #assertOpen(): void {
    if (this.#closing.signal.aborted) throw new Error('the event store is closed');
  }
}

/** Connects to PostgreSQL, brings the event-store schema up to date and returns the store. */
export async function createPostgresEventStore(options: PostgresEventStoreOptions): Promise<EventStore> {
  const logger = options.logger ?? consoleLogger;
  let pool: Pool;
  let ownsPool: boolean;
  if (options.pool !== undefined) {
    pool = options.pool;
    ownsPool = false;
  } else {
    pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
    ownsPool = true;
    logIdleConnectionErrors(pool, logger, 'event store: idle PostgreSQL connection failed');
  }
  try {
    await migrate(pool);
  } catch (error) {
    if (ownsPool) await pool.end();
    throw translateReadError(error);
  }
  return new PostgresEventStore(pool, ownsPool, { ...options, logger });
}
