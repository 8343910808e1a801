import type { LoggedEvent } from '../log.js';
import type { EventType } from '../domain/catalog.js';
import { foldPairChanges, type PairChange } from './pair-changes.js';
import type { Projection } from './projection.js';

/**
 * A read model of pairs (owner → other, with the time added): contacts, blocks. Each batch is
 * folded per pair (see pair-changes.ts), then written with one delete and one insert.
 */
export function pairProjection(definition: {
  readonly name: string;
  readonly table: string;
  /** Column names: owner, other, time added. */
  readonly columns: readonly [string, string, string];
  readonly handles: readonly EventType[];
  /** The pair an event adds or removes; undefined for an event of no concern. */
  readonly changeOf: (event: LoggedEvent) => PairChange | undefined;
}): Projection {
  const [owner, other, at] = definition.columns;
  const remove = {
    name: `${definition.name}-delete`,
    text: `DELETE FROM ${definition.table} t USING unnest($1::uuid[], $2::uuid[]) AS d (owner, other)
            WHERE t.${owner} = d.owner AND t.${other} = d.other`,
  };
  const insert = {
    name: `${definition.name}-insert`,
    text: `INSERT INTO ${definition.table} (${owner}, ${other}, ${at})
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[])
           ON CONFLICT (${owner}, ${other}) DO NOTHING`,
  };
  return {
    name: definition.name,
    tables: [definition.table],
    handles: new Set(definition.handles),
    async applyBatch(client, events: readonly LoggedEvent[]) {
      const { deletes, inserts } = foldPairChanges(events, definition.changeOf);
      if (deletes.owners.length > 0)
        await client.query({ ...remove, values: [deletes.owners, deletes.others] });
      if (inserts.owners.length > 0) {
        await client.query({ ...insert, values: [inserts.owners, inserts.others, inserts.ats] });
      }
    },
  };
}
