import type pg from 'pg';
import type { LogStore, LoggedEvent } from '../../log.js';
import { isUuid } from '../../platform/uuid.js';
import { indexedEventsOf, indexedUpTo, type IndexedEvent } from '../../read-models/resume-index/queries.js';
import type { GapReader } from './gap-reader.js';
import type { RealtimeFrame } from '../realtime-frame.js';

/**
 * Reads a gap from the resume index (read-models/resume-index) up to its projection's checkpoint,
 * and from `fallback` (the log scan) past it, the projection's lag.
 */
export function indexedGapReader(deps: {
  readonly pool: pg.Pool;
  readonly store: LogStore;
  readonly frameFor: (event: LoggedEvent) => RealtimeFrame | undefined;
  readonly fallback: GapReader;
}): GapReader {
  return async (userId, after, horizon, maxCount) => {
    const upTo = min(await indexedUpTo(deps.pool), horizon);
    if (after >= upTo || !isUuid(userId)) return deps.fallback(userId, after, horizon, maxCount);
    const rows = await indexedEventsOf(deps.pool, userId, after, upTo, maxCount);
    const events = (await readEvents(deps.store, rows)).filter((event) =>
      deps.frameFor(event)?.audience.includes(userId),
    );
    const full = rows.length >= maxCount;
    return { events, scannedTo: full ? BigInt(rows.at(-1)!.position) : upTo };
  };
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * The indexed events, read back from their streams: consecutive revisions of one stream (a
 * conversation's messages, typically) in one read.
 */
async function readEvents(store: LogStore, rows: readonly IndexedEvent[]): Promise<LoggedEvent[]> {
  const runs: { streamName: string; from: bigint; count: number }[] = [];
  for (const row of rows) {
    const revision = BigInt(row.revision);
    const last = runs.at(-1);
    if (last && last.streamName === row.streamName && last.from + BigInt(last.count) === revision) {
      last.count += 1;
    } else {
      runs.push({ streamName: row.streamName, from: revision, count: 1 });
    }
  }
  const wanted = new Set(rows.map((row) => row.position));
  const read = await Promise.all(
    runs.map((run) => store.readStream(run.streamName, { fromRevision: run.from, maxCount: run.count })),
  );
  return read
    .flat()
    .filter((event) => wanted.has(event.position.toString()))
    .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
}
