import type { RecordedEvent } from '../eventstore/port.js';
import { foldPairChanges } from './pair-changes.js';
import type { Projection } from './projection.js';

/**
 * A read model of pairs (owner → other, with the time added): contacts, blocks. Each batch is
 * folded per pair (see pair-changes.ts), then written with one delete and one insert.
 */
export function pairProjection<Added extends object, Removed extends object>(definition: {
  readonly name: string;
  readonly table: string;
  /** Column names: owner, other, time added. */
  readonly columns: readonly [string, string, string];
  readonly added: { readonly type: string; readonly read: (data: Added) => [string, string, string] };
  readonly removed: { readonly type: string; readonly read: (data: Removed) => [string, string] };
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
    handles: new Set([definition.added.type, definition.removed.type]),
    async applyBatch(client, events: readonly RecordedEvent[]) {
      const { deletes, inserts } = foldPairChanges(events, (event) => {
        if (event.type === definition.added.type) {
          const [from, to, when] = definition.added.read(event.data as Added);
          return { op: 'add', owner: from, other: to, at: when };
        }
        const [from, to] = definition.removed.read(event.data as Removed);
        return { op: 'remove', owner: from, other: to };
      });
      if (deletes.owners.length > 0)
        await client.query({ ...remove, values: [deletes.owners, deletes.others] });
      if (inserts.owners.length > 0) {
        await client.query({ ...insert, values: [inserts.owners, inserts.others, inserts.ats] });
      }
    },
  };
}
