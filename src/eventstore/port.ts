import type { SealingKey } from '../platform/personal-data-keys.js';

export type { SealingKey };
/**
 * The event store port: the one interface both adapters (PostgreSQL, EventStoreDB) implement and
 * the conformance suite checks. Revisions are 0-based per-stream event numbers.
 *
 * Positions are global log positions (bigint), increasing along the log, and opaque: PostgreSQL
 * numbers events 1, 2, 3…, EventStoreDB uses byte offsets in its log. Never do arithmetic on
 * them. A cursor (`after`) is a position the store returned (an event's, an append's, the head)
 * or 0n for the beginning; anything else is refused with InvalidPositionError.
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
  /**
   * Unique id (UUID), not repeated within one append (else DuplicateEventIdError; not a UUID:
   * TypeError). Appending again events already stored in the stream is idempotent (see
   * `appendToStream`).
   */
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
  /** Default `any`. Only an exact revision and `no_stream` make retries reliably idempotent. */
  readonly expectedRevision?: ExpectedRevision;
  /**
   * New keys that seal personal fields of these events (see platform/personal-data-keys.ts), to be
   * made durable in the append's own transaction, and only if the append is accepted. Only the
   * PostgreSQL store sharing its database with the keys takes them; EventStoreDB refuses them
   * (its caller stores the keys first).
   */
  readonly sealingKeys?: readonly SealingKey[];
}

/** Which store holds the log: positions and checkpoints mean something only in the store that made them. */
export interface StoreIdentity {
  readonly kind: 'postgresql' | 'eventstoredb';
  /** Stable for the life of the store's data: created with it, gone when it is wiped. */
  readonly id: string;
}

export interface ReadStreamOptions {
  /** First revision to return (inclusive). Default 0. */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Return events strictly after this position (one the store returned, or 0n). Default: from the beginning. */
  readonly after?: bigint;
  readonly maxCount?: number;
  /**
   * The event types whose personal fields the reader reads (default: every type). The log boundary
   * gives the others' personal fields their erased values instead of decrypting them (a rebuild
   * of a projection that skips messages need not open a single body); the adapters ignore it.
   */
  readonly personalDataOf?: ReadonlySet<string>;
}

export interface SubscribeOptions {
  /** Deliver events strictly after this position (one the store returned, or 0n); `undefined` = from the beginning. */
  readonly after?: bigint;
  /** Stops the subscription; the iterator then ends. */
  readonly signal?: AbortSignal;
}

export interface EventStore<Event extends EventShape = RawEvent> {
  /**
   * Appends at least one event (none: TypeError) to a stream whose name is not empty and does
   * not start with `$` (EventStoreDB's system streams); types must not start with `$` either.
   *
   * Idempotency: re-appending events that are stored already (same ids, same order, right after
   * the revision expected) returns the original result and writes nothing. That is guaranteed for
   * an exact revision and `no_stream`; with `any` or `stream_exists` it holds on PostgreSQL but,
   * on EventStoreDB, only while the server still has the ids in its cache (not after a restart,
   * a leader change or an eviction). The application appends only with exact revisions or
   * `no_stream`.
   *
   * Fails with WrongExpectedRevisionError, DuplicateEventIdError (an id stored for other
   * events), StreamDeletedError, or EventStoreUnavailableError.
   */
  appendToStream(
    streamName: string,
    events: readonly NewEvent<Event>[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /**
   * Events of one stream in revision order; an empty array when the stream does not exist;
   * StreamDeletedError when it was deleted for good.
   */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent<Event>[]>;
  /** Events of the global log in position order; InvalidPositionError for a bad `after`. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent<Event>[]>;
  /** Position of the newest event in the log (0n when the log is empty). */
  headPosition(): Promise<bigint>;
  /**
   * Every event after `after`, in global order, exactly once: first what is stored, then live.
   * The iterator ends when `signal` aborts; it throws if the store fails, and InvalidPositionError
   * for a bad `after`.
   */
  subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent<Event>>;
  /** Which store this is (kind and the id its data was created with). */
  identity(): Promise<StoreIdentity>;
  /** Checks that the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The little an adapter needs to report trouble it recovers from on its own (pino's logger fits). */
export interface EventStoreLogger {
  warn(context: Record<string, unknown>, message: string): void;
  error(context: Record<string, unknown>, message: string): void;
}
