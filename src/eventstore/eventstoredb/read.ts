import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  StreamNotFoundError,
  type AllStreamResolvedEvent,
  type EventStoreDBClient,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { InvalidPositionError } from '../errors.js';
import type { EventStoreLogger, ReadAllOptions, ReadStreamOptions, RecordedEvent } from '../port.js';
import { translateClientError } from './esdb-errors.js';
import { isReadable, isSystemEvent, positionOf, toRecordedEvent, warnUnreadable } from './recorded-event.js';

/** $all is read in pages of this many records (system events included, then dropped). */
const PAGE_SIZE = 256;

function checkMaxCount(maxCount: number | undefined): void {
  if (maxCount !== undefined && (!Number.isSafeInteger(maxCount) || maxCount < 0)) {
    throw new RangeError('maxCount must be a non-negative integer');
  }
}

/** See recorded-event.ts: for events written through gRPC, commit and prepare positions are equal. */
export function toReadPosition(position: bigint | undefined): ReadPosition {
  return position === undefined ? START : { commit: position, prepare: position };
}

/** Reads a stream in full into memory; an absent stream reads as empty. A deleted one: StreamDeletedError. */
export async function readStreamEvents(
  client: EventStoreDBClient,
  streamName: string,
  options: ReadStreamOptions = {},
): Promise<ResolvedEvent[]> {
  checkMaxCount(options.maxCount);
  if (options.maxCount === 0) return [];
  const resolved: ResolvedEvent[] = [];
  try {
    const read = client.readStream(streamName, {
      direction: FORWARDS,
      fromRevision: options.fromRevision ?? START,
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    for await (const event of read) resolved.push(event);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw translateClientError(error, { streamName });
  }
  return resolved;
}

export async function readStream(
  client: EventStoreDBClient,
  streamName: string,
  options?: ReadStreamOptions,
): Promise<RecordedEvent[]> {
  return (await readStreamEvents(client, streamName, options)).map(toRecordedEvent);
}

async function readAllPage(
  client: EventStoreDBClient,
  from: ReadPosition,
  direction: typeof FORWARDS | typeof BACKWARDS,
  maxCount = PAGE_SIZE,
): Promise<AllStreamResolvedEvent[]> {
  const page: AllStreamResolvedEvent[] = [];
  try {
    for await (const event of client.readAll({ fromPosition: from, direction, maxCount })) {
      page.push(event);
    }
  } catch (error) {
    throw translateClientError(error, from === START || from === END ? {} : { position: from.commit });
  }
  return page;
}

/**
 * Refuses a cursor no read could have returned: negative, or past the newest event. (One inside
 * the log but off a record boundary the server refuses itself, see esdb-errors.ts.)
 */
export async function checkPosition(client: EventStoreDBClient, after: bigint | undefined): Promise<void> {
  if (after === undefined || after === 0n) return;
  if (after < 0n || (await headPosition(client)) < after) throw new InvalidPositionError(after);
}

/**
 * The global log without EventStoreDB's own events (and skipping, with a warning, events that are
 * not JSON objects). Pages restart at the last position seen and drop anything at or below it,
 * which works whether the server treats `fromPosition` as inclusive (reads) or not.
 */
export async function readAll(
  client: EventStoreDBClient,
  logger: EventStoreLogger,
  options: ReadAllOptions = {},
): Promise<RecordedEvent[]> {
  checkMaxCount(options.maxCount);
  if (options.after !== undefined && options.after < 0n) throw new InvalidPositionError(options.after);
  const limit = options.maxCount ?? Number.POSITIVE_INFINITY;
  const collected: RecordedEvent[] = [];
  let cursor = options.after ?? -1n;
  while (collected.length < limit) {
    const page = await readAllPage(client, toReadPosition(cursor < 0n ? undefined : cursor), FORWARDS);
    let last = cursor;
    for (const resolved of page) {
      const position = positionOf(resolved);
      if (position === undefined || position <= cursor) continue;
      last = position;
      if (isSystemEvent(resolved)) continue;
      if (!isReadable(resolved)) {
        warnUnreadable(logger, resolved);
        continue;
      }
      collected.push(toRecordedEvent(resolved));
      if (collected.length >= limit) break;
    }
    if (page.length < PAGE_SIZE || last === cursor) break;
    cursor = last;
  }
  // Past the head the server answers an empty page, as it does at the head: tell them apart.
  if (collected.length === 0) await checkPosition(client, options.after);
  return collected;
}

/** Position of the newest non-system event: $all read backwards until one turns up. */
export async function headPosition(client: EventStoreDBClient): Promise<bigint> {
  let from: ReadPosition = END;
  let cursor: bigint | undefined;
  for (;;) {
    const page = await readAllPage(client, from, BACKWARDS);
    let last = cursor;
    for (const resolved of page) {
      const position = positionOf(resolved);
      if (position === undefined || (cursor !== undefined && position >= cursor)) continue;
      if (!isSystemEvent(resolved)) return position;
      last = position;
    }
    if (page.length < PAGE_SIZE || last === undefined || last === cursor) return 0n;
    cursor = last;
    from = toReadPosition(cursor);
  }
}

/** One record from the end of $all: proves the server answers reads. */
export async function ping(client: EventStoreDBClient): Promise<void> {
  await readAllPage(client, END, BACKWARDS, 1);
}
