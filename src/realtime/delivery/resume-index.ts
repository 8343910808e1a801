import type pg from 'pg';
import type { LogStore, LoggedEvent } from '../../log.js';
import type { Projection } from '../../projections/projection.js';
import { isUuid } from '../presence/ephemeral-messages.js';
import { frameFor } from './frames.js';
import type { GapReader } from './gap-reader.js';
import type { RealtimeFrame } from './realtime-frame.js';
import { checkpointOf } from '../../projections/checkpoints.js';

/*
 * The resume index: per user, the positions of the events whose frames are for them (with the
 * stream and revision to read each back), kept by a projection. A resume after any absence reads
 * the user's own positions from it and then exactly those events, so its cost follows the user's
 * events, not everything written meanwhile. Past the projection's checkpoint (its lag), the gap
 * is scanned from the log.
 */

export const RESUME_INDEX = 'resume_index';
const TABLE = 'user_event_positions';

const INSERT = {
  name: 'resume-index-insert',
  text: `INSERT INTO ${TABLE} (user_id, position, stream_name, revision)
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::bigint[])
         ON CONFLICT DO NOTHING`,
};

/** The event types that have frames (frames.ts): the only ones the index holds. */
const FRAMED_TYPES: readonly LoggedEvent['type'][] = [
  'DirectConversationStarted',
  'GroupCreated',
  'MemberAdded',
  'MemberRemoved',
  'MessageSent',
  'MessageEdited',
  'MessageDeleted',
  'ConversationRead',
  'ContactAdded',
  'ContactRemoved',
];

export const resumeIndexProjection: Projection = {
  name: RESUME_INDEX,
  tables: [TABLE],
  handles: new Set(FRAMED_TYPES),
  // Positions only: no body, email or name is kept.
  readsPersonalData: new Set(),
  async applyBatch(client, events) {
    const users: string[] = [];
    const positions: string[] = [];
    const streams: string[] = [];
    const revisions: string[] = [];
    for (const event of events) {
      for (const userId of new Set(audienceOf(event))) {
        if (!isUuid(userId)) continue;
        users.push(userId);
        positions.push(event.position.toString());
        streams.push(event.streamName);
        revisions.push(event.revision.toString());
      }
    }
    if (users.length > 0) await client.query({ ...INSERT, values: [users, positions, streams, revisions] });
  },
};

/** Who the event's frame is for; an event the mapping cannot read (a bug, a bad shape) is for nobody. */
function audienceOf(event: LoggedEvent): readonly string[] {
  try {
    return frameFor(event)?.audience ?? [];
  } catch {
    return [];
  }
}

interface IndexedRow {
  readonly position: string;
  readonly streamName: string;
  readonly revision: string;
}

/**
 * Reads a gap from the index up to the projection's checkpoint, and from `fallback` (the log
 * scan) past it.
 */
export function indexedGapReader(deps: {
  readonly pool: pg.Pool;
  readonly store: LogStore;
  readonly frameFor: (event: LoggedEvent) => RealtimeFrame | undefined;
  readonly fallback: GapReader;
}): GapReader {
  return async (userId, after, horizon, maxCount) => {
    const indexedUpTo = min(await checkpoint(deps.pool), horizon);
    if (after >= indexedUpTo || !isUuid(userId)) return deps.fallback(userId, after, horizon, maxCount);
    const { rows } = await deps.pool.query<IndexedRow>({
      name: 'resume-index-read',
      text: `SELECT position, stream_name AS "streamName", revision FROM ${TABLE}
              WHERE user_id = $1 AND position > $2 AND position <= $3 ORDER BY position LIMIT $4`,
      values: [userId, after.toString(), indexedUpTo.toString(), maxCount],
    });
    const events = (await readEvents(deps.store, rows)).filter((event) =>
      deps.frameFor(event)?.audience.includes(userId),
    );
    const full = rows.length >= maxCount;
    return { events, scannedTo: full ? BigInt(rows.at(-1)!.position) : indexedUpTo };
  };
}

async function checkpoint(pool: pg.Pool): Promise<bigint> {
  return checkpointOf(pool, RESUME_INDEX);
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * The indexed events, read back from their streams: consecutive revisions of one stream (a
 * conversation's messages, typically) in one read.
 */
async function readEvents(store: LogStore, rows: readonly IndexedRow[]): Promise<LoggedEvent[]> {
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
