import { catalogCodec, type CatalogEvent } from './domain/catalog.js';
import { decodedStore } from './eventstore/decoded-store.js';
import type { EventStore, EventStoreLogger, RecordedEvent } from './eventstore/port.js';
import type { SharedLog } from './eventstore/shared-log.js';

/** An event of the log as every reader in the process receives it: decoded, upcast, typed. */
export type LoggedEvent = RecordedEvent<CatalogEvent>;

/** The event store as the application sees it: only the catalog's events go in and come out. */
export type LogStore = EventStore<CatalogEvent>;

/** Wraps an adapter (PostgreSQL, EventStoreDB) at the log boundary, with the catalog's codec. */
export function openLog(store: EventStore, logger: EventStoreLogger): LogStore {
  return decodedStore(store, catalogCodec, logger);
}

/** The process's one reader of the log, serving typed events. */
export type LogReader = SharedLog<CatalogEvent>;
