import type pg from 'pg';
import { checkpointPosition } from '../checkpoints.js';
import { RESUME_INDEX } from './projection.js';
import { USER_EVENT_POSITIONS } from './tables.js';

/** Where one of the user's events is: its position in the log, and its stream and revision. */
export interface IndexedEvent {
  readonly position: string;
  readonly streamName: string;
  readonly revision: string;
}

/** The user's indexed events in (`after`, `upTo`], in log order, at most `maxCount`. */
export async function indexedEventsOf(
  pool: pg.Pool,
  userId: string,
  after: bigint,
  upTo: bigint,
  maxCount: number,
): Promise<IndexedEvent[]> {
  const { rows } = await pool.query<IndexedEvent>({
    name: 'resume-index-read',
    text: `SELECT position, stream_name AS "streamName", revision FROM ${USER_EVENT_POSITIONS}
            WHERE user_id = $1 AND position > $2 AND position <= $3 ORDER BY position LIMIT $4`,
    values: [userId, after.toString(), upTo.toString(), maxCount],
  });
  return rows;
}

/** How far the index has applied the log: below it, it holds every event of every user. */
export async function indexedUpTo(pool: pg.Pool): Promise<bigint> {
  return checkpointPosition(pool, RESUME_INDEX);
}
