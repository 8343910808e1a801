import type { EventStore, EventStoreLogger } from './port.js';

export interface CreateEventStoreOptions {
  /** `postgres://` / `postgresql://` for PostgreSQL; `esdb://`, `esdb+discover://`, `kurrentdb://` for EventStoreDB. */
  readonly url: string;
  readonly logger?: EventStoreLogger;
}

const POSTGRES_SCHEMES = new Set(['postgres:', 'postgresql:']);
const EVENTSTOREDB_SCHEMES = new Set(['esdb:', 'esdb+discover:', 'kurrentdb:', 'kurrentdb+discover:']);

/** Picks the adapter from the URL scheme; each adapter module is loaded only when chosen. */
export async function createEventStore({ url, logger }: CreateEventStoreOptions): Promise<EventStore> {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase();
  if (scheme !== undefined && POSTGRES_SCHEMES.has(scheme)) {
    const { createPostgresEventStore } = await import('./postgres/index.js');
    return createPostgresEventStore(
      logger === undefined ? { connectionString: url } : { connectionString: url, logger },
    );
  }
  if (scheme !== undefined && EVENTSTOREDB_SCHEMES.has(scheme)) {
    const { createEventStoreDbEventStore } = await import('./eventstoredb/index.js');
    return createEventStoreDbEventStore(
      logger === undefined ? { connectionString: url } : { connectionString: url, logger },
    );
  }
  // The URL may hold a password: name only its scheme.
  const found = scheme === undefined ? 'has no scheme' : `has the scheme ${JSON.stringify(scheme)}`;
  throw new TypeError(
    `the event store URL ${found}; expected postgres://, postgresql://, esdb://, esdb+discover:// or kurrentdb://`,
  );
}
