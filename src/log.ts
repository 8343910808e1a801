import { catalogCodec, eventDefinitions, type CatalogEvent } from './domain/catalog.js';
import type { EventDefinition } from './domain/event-definition.js';
import { decodedStore } from './eventstore/decoded-store.js';
import { personalDataSeal, type PersonalDataRules } from './eventstore/personal-data.js';
import type { EventStore, EventStoreLogger, RecordedEvent } from './eventstore/port.js';
import type { SharedLog } from './eventstore/shared-log.js';
import type { PersonalDataKeys } from './platform/personal-data-keys.js';

/** An event of the log as every reader in the process receives it: decoded, upcast, typed. */
export type LoggedEvent = RecordedEvent<CatalogEvent>;

/** The event store as the application sees it: only the catalog's events go in and come out. */
export type LogStore = EventStore<CatalogEvent>;

const byType = new Map<string, EventDefinition>(
  eventDefinitions.map((definition) => [definition.type, definition]),
);

/** The catalog's personal fields and erasures, as the log boundary applies them. */
export const catalogPersonalData: PersonalDataRules = {
  personalOf: (type) => byType.get(type)?.personal,
  erasureOf: (type) => byType.get(type)?.erases,
};

/**
 * Wraps an adapter (PostgreSQL, EventStoreDB) at the log boundary, with the catalog's codec and,
 * given the keys, sealing of personal data. Without keys, personal data is stored and read as it
 * is (tests of other concerns); every process of a deployment opens the log with them.
 */
export function openLog(store: EventStore, logger: EventStoreLogger, keys?: PersonalDataKeys): LogStore {
  return decodedStore(
    store,
    catalogCodec,
    logger,
    keys ? personalDataSeal(catalogPersonalData, keys, logger) : undefined,
  );
}

/** The process's one reader of the log, serving typed events. */
export type LogReader = SharedLog<CatalogEvent>;
