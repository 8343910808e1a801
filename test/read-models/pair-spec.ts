import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Projection } from '../../src/read-models/projection.js';
import { at, projectionDb, recorded, type ProjectionDb } from './support.js';

/** What a pair read model calls its owner, the other user, and the time the pair was added. */
interface PairNames {
  readonly owner: string;
  readonly other: string;
  readonly added: string;
}

/**
 * The specification every read model of pairs (read-models/pair-projection.ts) meets, given its
 * events: what it keeps of a pair is what the last event of a batch left.
 */
export function pairProjectionSpec(
  projection: Projection,
  names: {
    /** The event types that add and remove a pair. */
    readonly events: { readonly added: string; readonly removed: string };
    /** Their data's fields (`removed`: the time of a removal). */
    readonly fields: PairNames & { readonly removed: string };
    /** The table's columns. */
    readonly columns: PairNames;
  },
): void {
  const { events, fields, columns } = names;
  const add = (owner: string, other: string, minute: number) => ({
    type: events.added,
    data: { [fields.owner]: owner, [fields.other]: other, [fields.added]: at(minute) },
  });
  const remove = (owner: string, other: string) => ({
    type: events.removed,
    data: { [fields.owner]: owner, [fields.other]: other, [fields.removed]: at(9) },
  });
  const [table] = projection.tables;
  let db: ProjectionDb;
  beforeAll(async () => {
    db = await projectionDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  describe(`the ${projection.name} projection`, () => {
    it('ends each pair as the last event of the batch left it, whatever came before', async () => {
      const owner = randomUUID();
      const [kept, readded, gone, untouched] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await db.apply(
        projection,
        recorded([add(owner, untouched, 1), add(owner, readded, 1), add(owner, gone, 1)]),
      );
      await db.apply(
        projection,
        recorded([
          add(owner, kept, 2),
          add(owner, untouched, 2), // already there: keeps its first time
          remove(owner, readded),
          add(owner, readded, 3), // removed and added again: a fresh row
          add(owner, gone, 4),
          remove(owner, gone),
          remove(owner, randomUUID()), // never there
        ]),
      );
      const rows = await db.rows(
        `SELECT ${columns.other}::text AS other, ${columns.added} AS at FROM ${table}
          WHERE ${columns.owner} = '${owner}' ORDER BY 1`,
      );
      const byOther = new Map(rows.map((row) => [row.other, (row.at as Date).toISOString()]));
      expect(byOther).toEqual(
        new Map([
          [kept, at(2)],
          [untouched, at(1)],
          [readded, at(3)],
        ]),
      );
    });
  });
}
