import type { LoggedEvent } from '../log.js';

/** A pair (owner → other) that an event adds, with the time it was added, or removes. */
export type PairChange =
  | { readonly op: 'add'; readonly owner: string; readonly other: string; readonly at: string }
  | { readonly op: 'remove'; readonly owner: string; readonly other: string };

export interface PairWrites {
  /** Pairs to delete first: removed in the end, or removed and added again (a fresh row). */
  readonly deletes: { readonly owners: string[]; readonly others: string[] };
  /** Rows to insert after, keeping an existing row (ON CONFLICT DO NOTHING). */
  readonly inserts: { readonly owners: string[]; readonly others: string[]; readonly ats: string[] };
}

/**
 * Folds a batch of add/remove events on pairs into two set-based writes with the effect of
 * applying them one by one (add = insert if absent, remove = delete): per pair, only the last
 * operation and whether a remove came before it matter.
 */
export function foldPairChanges(
  events: readonly LoggedEvent[],
  changeOf: (event: LoggedEvent) => PairChange | undefined,
): PairWrites {
  const finals = new Map<string, { change: PairChange; removedBefore: boolean }>();
  for (const event of events) {
    const change = changeOf(event);
    if (change === undefined) continue;
    const key = `${change.owner} ${change.other}`;
    const previous = finals.get(key);
    const removedBefore = (previous?.removedBefore ?? false) || previous?.change.op === 'remove';
    finals.set(key, { change, removedBefore });
  }
  const writes: PairWrites = {
    deletes: { owners: [], others: [] },
    inserts: { owners: [], others: [], ats: [] },
  };
  for (const { change, removedBefore } of finals.values()) {
    if (change.op === 'remove' || removedBefore) {
      writes.deletes.owners.push(change.owner);
      writes.deletes.others.push(change.other);
    }
    if (change.op === 'add') {
      writes.inserts.owners.push(change.owner);
      writes.inserts.others.push(change.other);
      writes.inserts.ats.push(change.at);
    }
  }
  return writes;
}
