import { EventStoreDBClient } from '@eventstore/db-client';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
} from '../port.js';
import { appendToStream } from './append.js';
import { headPosition, ping, readAll, readStream } from './read.js';
import { subscribeToAll } from './subscription.js';

export interface EventStoreDbEventStoreOptions {
  /** `esdb://`, `esdb+discover://`, or the KurrentDB spellings `kurrentdb://` / `kurrentdb+discover://`. */
  readonly connectionString: string;
}

/** This client version only knows the `esdb` schemes; KurrentDB's are the same protocol. */
export function toClientConnectionString(connectionString: string): string {
  return connectionString.replace(
    /^(kurrentdb|kurrent)(\+discover)?:\/\//i,
    (_match, _scheme, discover?: string) => (discover === undefined ? 'esdb://' : 'esdb+discover://'),
  );
}

/**
 * The EventStore port over EventStoreDB / KurrentDB. Limits: a re-used event id is detected only
 * when the append names an exact revision or `no_stream` (EventStoreDB keeps no per-stream id
 * index), and `readStream` positions need a server >= 22.6 (older ones report -1n).
 */
class EventStoreDbEventStore implements EventStore {
  readonly #client: EventStoreDBClient;
  readonly #closing = new AbortController();

  constructor(client: EventStoreDBClient) {
    this.#client = client;
  }

  async appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    return appendToStream(this.#client, streamName, events, options.expectedRevision ?? 'any');
  }

  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return readStream(this.#client, streamName, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return readAll(this.#client, options);
  }

  headPosition(): Promise<bigint> {
    return headPosition(this.#client);
  }

  subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    return subscribeToAll(this.#client, options, this.#closing.signal);
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

/** Creates the client (it connects lazily, on the first call). */
export async function createEventStoreDbEventStore(
  options: EventStoreDbEventStoreOptions,
): Promise<EventStore> {
  const client = EventStoreDBClient.connectionString(toClientConnectionString(options.connectionString));
  return new EventStoreDbEventStore(client);
}
