import type pg from 'pg';
import type { RecordedEvent } from '../eventstore/port.js';

/** A read model kept up to date from the log. */
export interface Projection {
  readonly name: string;
  /** Event types it applies; every other event only moves its checkpoint. */
  readonly handles: ReadonlySet<string>;
  /** The tables it owns, emptied by a rebuild (children first). */
  readonly tables: readonly string[];
  /** Applies one event inside the caller's transaction. */
  apply(client: pg.ClientBase, event: RecordedEvent): Promise<void>;
}

export function defineProjection(projection: {
  name: string;
  tables: readonly string[];
  handlers: Record<string, (client: pg.ClientBase, event: RecordedEvent) => Promise<void>>;
}): Projection {
  return {
    name: projection.name,
    tables: projection.tables,
    handles: new Set(Object.keys(projection.handlers)),
    async apply(client, event) {
      await projection.handlers[event.type]?.(client, event);
    },
  };
}
