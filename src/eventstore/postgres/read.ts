import type { Pool } from 'pg';
import { InvalidPositionError } from '../errors.js';
import type { ReadAllOptions, ReadStreamOptions, RecordedEvent, StoreIdentity } from '../port.js';
import { translateReadError } from './pg-errors.js';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows.js';
import { EVENTS_TABLE, IDENTITY_TABLE, LOG_HEAD_TABLE } from './schema.js';

/** `LIMIT NULL` means no limit in PostgreSQL. */
function limitOf(maxCount: number | undefined): number | null {
  if (maxCount === undefined) return null;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0)
    throw new RangeError('maxCount must be a non-negative integer');
  return maxCount;
}

async function queryEvents(pool: Pool, sql: string, params: readonly unknown[]): Promise<RecordedEvent[]> {
  try {
    const { rows } = await pool.query<EventRow>(sql, [...params]);
    return rows.map(toRecordedEvent);
  } catch (error) {
    throw translateReadError(error);
  }
}

export function readStream(
  pool: Pool,
  streamName: string,
  options: ReadStreamOptions = {},
): Promise<RecordedEvent[]> {
  const from = options.fromRevision ?? 0n;
  return queryEvents(
    pool,
    `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_TABLE}
      WHERE stream_name = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
    [streamName, from.toString(), limitOf(options.maxCount)],
  );
}

/**
 * Positions are 1..head without gaps, so every number from 0 to the head is one this store
 * returned (or the start): refuses the others.
 */
export async function checkPosition(pool: Pool, after: bigint | undefined): Promise<void> {
  if (after === undefined || after === 0n) return;
  if (after < 0n || (await headPosition(pool)) < after) throw new InvalidPositionError(after);
}

/** Like `readEvents`, and refuses an `after` this store never returned (looked up only when nothing follows it). */
export async function readAll(pool: Pool, options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
  if (options.after !== undefined && options.after < 0n) throw new InvalidPositionError(options.after);
  const events = await readEvents(pool, options);
  if (events.length === 0) await checkPosition(pool, options.after);
  return events;
}

/** Safe to read by position without further care: appends commit in position order (see append-batch.ts). */
export function readEvents(pool: Pool, options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
  const after = options.after ?? 0n;
  return queryEvents(
    pool,
    `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_TABLE} WHERE position > $1 ORDER BY position LIMIT $2`,
    [after.toString(), limitOf(options.maxCount)],
  );
}

export async function headPosition(pool: Pool): Promise<bigint> {
  try {
    const { rows } = await pool.query<{ position: string }>(`SELECT position FROM ${LOG_HEAD_TABLE}`);
    return BigInt(rows[0]?.position ?? '0');
  } catch (error) {
    throw translateReadError(error);
  }
}

export async function storeIdentity(pool: Pool): Promise<StoreIdentity> {
  try {
    const { rows } = await pool.query<{ store_id: string }>(`SELECT store_id FROM ${IDENTITY_TABLE}`);
    const id = rows[0]?.store_id;
    if (id === undefined) throw new Error(`${IDENTITY_TABLE} is empty; the schema was altered by hand`);
    return { kind: 'postgresql', id };
  } catch (error) {
    throw translateReadError(error);
  }
}
