import type { EventType } from '../domain/catalog.js';
import type { LoggedEvent } from '../log.js';
import type pg from 'pg';

/**
 * A read model kept up to date from the log. A batch is written set-based: the projection folds
 * it in memory into the final change of each row and writes each table with one statement (or a
 * few), so a row is written once per batch however many events touch it.
 */
export interface Projection {
  readonly name: string;
  /** Event types it applies; every other event only moves its checkpoint. */
  readonly handles: ReadonlySet<EventType>;
  /**
   * Of those, the types whose personal fields (bodies, emails, names) it reads; default: all it
   * handles. A rebuild decrypts only these (see `personalDataOf` in the event store port).
   */
  readonly readsPersonalData?: ReadonlySet<EventType>;
  /** The tables it owns, emptied by a rebuild (children first). */
  readonly tables: readonly string[];
  /** Applies events (of the types it handles, in log order) inside the caller's transaction. */
  applyBatch(client: pg.ClientBase, events: readonly LoggedEvent[]): Promise<void>;
}
