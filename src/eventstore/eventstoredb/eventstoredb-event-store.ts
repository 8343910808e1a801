import { EventStoreDBClient } from '@eventstore/db-client';
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
import { appendToStream } from './append.js';
import { storeIdentity } from './identity.js';
import { headPosition, ping, readAll, readStream } from './read.js';
import { subscribeToAll } from './subscription.js';

export interface EventStoreDbEventStoreOptions {
  /** `esdb://`, `esdb+discover://`, or the KurrentDB spellings `kurrentdb://` / `kurrentdb+discover://`. */
  readonly connectionString: string;
  /** Told about events the log readers skip (default: the console). */
  readonly logger?: EventStoreLogger;
}

const consoleLogger: EventStoreLogger = {
  warn: (context, message) => console.warn(message, context),
  error: (context, message) => console.error(message, context),
};

/** This client version only knows the `esdb` schemes; KurrentDB's are the same protocol. */
export function toClientConnectionString(connectionString: string): string {
  return connectionString.replace(
    /^(kurrentdb|kurrent)(\+discover)?:\/\//i,
    (_match, _scheme, discover?: string) => (discover === undefined ? 'esdb://' : 'esdb+discover://'),
  );
}

/**
 * The EventStore port over EventStoreDB / KurrentDB. Limits: a re-used event id is detected, and
 * a retry recognised for sure, only when the append names an exact revision or `no_stream`
 * (EventStoreDB keeps no per-stream id index), and `readStream` positions need a server >= 22.6
 * (older ones report -1n).
 */
class EventStoreDbEventStore implements EventStore {
  readonly #client: EventStoreDBClient;
  readonly #logger: EventStoreLogger;
  readonly #closing = new AbortController();
  #identity: Promise<StoreIdentity> | undefined;

  constructor(client: EventStoreDBClient, logger: EventStoreLogger) {
    this.#client = client;
    this.#logger = logger;
  }

  async appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    // Keys cannot share a transaction with an event in another database: store them first.
    if (options.sealingKeys?.length)
      throw new TypeError('EventStoreDB cannot store sealing keys with an append');
    return appendToStream(this.#client, streamName, events, options.expectedRevision ?? 'any');
  }

  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return readStream(this.#client, streamName, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return readAll(this.#client, this.#logger, options);
  }

  headPosition(): Promise<bigint> {
    return headPosition(this.#client);
  }

  subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    return subscribeToAll(this.#client, this.#logger, options, this.#closing.signal);
  }

  identity(): Promise<StoreIdentity> {
    // Kept once known; a failure is not, so the next call asks again.
    this.#identity ??= storeIdentity(this.#client).catch((error: unknown) => {
      this.#identity = undefined;
      throw error;
    });
    return this.#identity;
  }

  ping(): Promise<void> {
    return ping(this.#client);
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    await this.#client.dispose();
  }
}

/**
 * Creates the client (it connects lazily, on the first call). Refuses `throwOnAppendFailure=false`:
 * with it the client reports a conflicting append as a result, not an error.
 */
export async function createEventStoreDbEventStore(
  options: EventStoreDbEventStoreOptions,
): Promise<EventStore> {
  const client = EventStoreDBClient.connectionString(toClientConnectionString(options.connectionString));
  // The client keeps the parsed option behind a protected getter: read it rather than parse again.
  if (Reflect.get(client, 'throwOnAppendFailure') === false) {
    await client.dispose();
    throw new TypeError(
      'the EventStoreDB connection string sets throwOnAppendFailure=false; this store needs conflicts reported as errors: remove the option',
    );
  }
  return new EventStoreDbEventStore(client, options.logger ?? consoleLogger);
}
