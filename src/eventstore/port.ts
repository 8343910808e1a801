/**
 * The event store port: the one interface both adapters (PostgreSQL, EventStoreDB) implement and
 * the conformance suite checks. Positions are global log positions (bigint), revisions are 0-based
 * per-stream event numbers.
 */

/** What the writer must believe about a stream's current state for an append to succeed. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export type JsonObject = { readonly [key: string]: unknown };

export interface EventMetadata {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly userId?: string;
  readonly [key: string]: unknown;
}

/**
 * An event's type and data. The adapters store any JSON object; a store decoded by the event
 * catalog (see src/log.ts) narrows this to the union of the catalog's typed events.
 */
export interface EventShape {
  readonly type: string;
  readonly data: object;
}

export interface RawEvent extends EventShape {
  readonly data: JsonObject;
}

export type NewEvent<Event extends EventShape = RawEvent> = Event & {
  /** Unique id (UUID). Appending an id that is already stored in the same stream is idempotent. */
  readonly id: string;
  readonly metadata?: EventMetadata;
};

export type RecordedEvent<Event extends EventShape = RawEvent> = Event & {
  readonly id: string;
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly metadata: EventMetadata;
  readonly createdAt: Date;
};

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  readonly nextExpectedRevision: bigint;
  /** Global position of the last event appended (or found, for an idempotent re-append). */
  readonly position: bigint;
}

export interface AppendOptions {
  readonly expectedRevision?: ExpectedRevision;
}

export interface ReadStreamOptions {
  /** First revision to return (inclusive). Default 0. */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Return events strictly after this position. Default: from the beginning. */
  readonly after?: bigint;
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  /** Deliver events strictly after this position; `undefined` = from the beginning. */
  readonly after?: bigint;
  /** Stops the subscription; the iterator then ends. */
  readonly signal?: AbortSignal;
}

export interface EventStore<Event extends EventShape = RawEvent> {
  appendToStream(
    streamName: string,
    events: readonly NewEvent<Event>[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** Events of one stream in revision order; an empty array when the stream does not exist. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent<Event>[]>;
  /** Events of the global log in position order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent<Event>[]>;
  /** Position of the newest event in the log (0n when the log is empty). */
  headPosition(): Promise<bigint>;
  /**
   * Every event after `after`, in global order, exactly once: first what is stored, then live.
   * The iterator ends when `signal` aborts; it throws if the store fails.
   */
  subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent<Event>>;
  /** Checks that the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The little an adapter needs to report trouble it recovers from on its own (pino's logger fits). */
export interface EventStoreLogger {
  warn(context: Record<string, unknown>, message: string): void;
  error(context: Record<string, unknown>, message: string): void;
}
