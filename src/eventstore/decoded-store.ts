import type {
  EventShape,
  EventStore,
  EventStoreLogger,
  JsonObject,
  NewEvent,
  RecordedEvent,
  SubscribeOptions,
} from './port.js';
import type { PersonalDataSeal } from './personal-data.js';

/** The metadata key that records which version of its type's schema an event was written with. */
export const SCHEMA_VERSION = 'schemaVersion';

/** What the decoding store needs of an event catalog (src/domain/event-codec.ts provides it). */
export interface Codec<Event extends EventShape> {
  versionOf(type: string): number | undefined;
  check(event: Event): void;
  decode(
    type: string,
    data: unknown,
    version: number,
  ): { readonly event: Event } | { readonly refused: string };
}

/** A stream holds an event this process cannot read: its aggregate cannot be rebuilt. */
export class UndecodableEventError extends Error {
  override readonly name = 'UndecodableEventError';
  constructor(
    readonly streamName: string,
    readonly revision: bigint,
    readonly reason: string,
  ) {
    super(`event ${revision} of ${streamName} cannot be read: ${reason}`);
  }
}

/**
 * The log boundary: events are decoded here, once, where they enter the process, and every reader
 * downstream receives the catalog's typed events. New events are checked against their schema and
 * stored with their version; stored events of an older version are upcast on the way in.
 *
 * An event of the global log that cannot be decoded (a type this version does not know, data that
 * fails its schema) is logged (type and position, never data) and passed over, so one bad event
 * cannot stop every projector and socket. A stream read refuses it instead: deciding on a state
 * folded without one of its events would be deciding on a lie.
 */
export function decodedStore<Event extends EventShape>(
  store: EventStore,
  codec: Codec<Event>,
  logger: EventStoreLogger,
  /** Seals personal fields on the way in and opens them on the way out (see personal-data.ts). */
  personal?: PersonalDataSeal,
): EventStore<Event> {
  const open = async (recorded: RecordedEvent[], opens?: ReadonlySet<string>) =>
    personal ? personal.open(recorded, opens) : recorded;
  const decode = (recorded: RecordedEvent): RecordedEvent<Event> | string => {
    const stored = recorded.metadata[SCHEMA_VERSION];
    const decoding = codec.decode(recorded.type, recorded.data, typeof stored === 'number' ? stored : 1);
    if ('refused' in decoding) return decoding.refused;
    const { event } = decoding;
    // The common case, data already of the current version, keeps the adapter's object.
    if (event.data === recorded.data) return recorded as unknown as RecordedEvent<Event>;
    return { ...recorded, type: event.type, data: event.data } as RecordedEvent<Event>;
  };
  const fromLog = (recorded: readonly RecordedEvent[]): RecordedEvent<Event>[] => {
    const events: RecordedEvent<Event>[] = [];
    for (const event of recorded) {
      const decoded = decode(event);
      if (typeof decoded !== 'string') events.push(decoded);
      else passOver(event, decoded);
    }
    return events;
  };
  const passOver = (event: RecordedEvent, reason: string): void =>
    logger.error(
      { type: event.type, position: event.position.toString(), streamName: event.streamName, reason },
      'event passed over: it cannot be decoded',
    );

  return {
    async appendToStream(streamName, events, options) {
      const encoded = events.map((event): NewEvent => {
        codec.check(event);
        const version = codec.versionOf(event.type)!;
        return {
          id: event.id,
          type: event.type,
          data: event.data as JsonObject,
          metadata: { ...event.metadata, [SCHEMA_VERSION]: version },
        };
      });
      if (!personal) return store.appendToStream(streamName, encoded, options);
      return personal.append(encoded, (sealed, sealingKeys) =>
        store.appendToStream(streamName, sealed, sealingKeys.length ? { ...options, sealingKeys } : options),
      );
    },
    async readStream(streamName, options) {
      return (await open(await store.readStream(streamName, options))).map((event) => {
        const decoded = decode(event);
        if (typeof decoded === 'string') throw new UndecodableEventError(streamName, event.revision, decoded);
        return decoded;
      });
    },
    async readAll(options = {}) {
      // A page whose every event was passed over must not read as the end of the log.
      let after = options.after;
      for (;;) {
        const page = await store.readAll({ ...options, ...(after === undefined ? {} : { after }) });
        const events = fromLog(await open(page, options.personalDataOf));
        if (events.length > 0 || page.length === 0) return events;
        after = page.at(-1)!.position;
      }
    },
    headPosition: () => store.headPosition(),
    identity: () => store.identity(),
    subscribeToAll(options?: SubscribeOptions) {
      const events = store.subscribeToAll(options);
      return (async function* () {
        for await (const stored of events) {
          // Opened at once when the key is in memory (the common case: a live event this process
          // sealed or has seen the key of); looked up otherwise.
          const event = personal ? (personal.openNow(stored) ?? (await personal.open([stored]))[0]!) : stored;
          const decoded = decode(event);
          if (typeof decoded !== 'string') yield decoded;
          else passOver(event, decoded);
        }
      })();
    },
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
