import {
  jsonEvent,
  type AllStreamResolvedEvent,
  type EventData,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { EventMetadata, EventStoreLogger, JsonObject, NewEvent, RecordedEvent } from '../port.js';

/*
 * Global position = the event's commit position in $all.
 *
 * Since EventStoreDB 20 (gRPC) there are no explicit multi-request transactions: every event of
 * an append is written as its own prepare record flagged as committed, and reads of $all report
 * that record's log position as both the commit and the prepare position. So per event
 * commit === prepare, the commit position alone is unique and increases along $all, and a
 * position we hand out can be turned back into a $all `Position` as { commit: p, prepare: p }.
 * (Only legacy TCP-client transactions made the two differ.)
 */

/** Stream reads report ulong.MaxValue (or nothing) where the server does not know the position. */
const NO_POSITION = 2n ** 63n - 1n;

/** The $all position of an event as delivered by a read or a subscription, if the server gave one. */
export function positionOf(resolved: ResolvedEvent | AllStreamResolvedEvent): bigint | undefined {
  const commit = resolved.event?.position?.commit ?? resolved.commitPosition;
  return commit !== undefined && commit >= 0n && commit < NO_POSITION ? commit : undefined;
}

/**
 * EventStoreDB's own records: `$`-prefixed types (system events, link events, metadata, the
 * tombstone of a deleted stream) and anything in a `$`-prefixed stream (system streams, metadata
 * streams, projections' and statistics' streams, whatever their event types). The port refuses
 * both names for appends, so none of these is ever an application event.
 */
export function isSystemEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): boolean {
  const event = resolved.event;
  return event === undefined || event.type.startsWith('$') || event.streamId.startsWith('$');
}

function isJsonObject(value: unknown): value is JsonObject {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** Whether `toRecordedEvent` can convert it: a JSON event whose data is a JSON object. */
export function isReadable(resolved: ResolvedEvent | AllStreamResolvedEvent): boolean {
  const event = resolved.event;
  return event !== undefined && event.isJson && isJsonObject(event.data);
}

/**
 * Readers of the global log skip an event this store could not have written (binary, or JSON
 * that is not an object, written by some other client) instead of failing on it again and again;
 * the operator learns where it is, never what it holds.
 */
export function warnUnreadable(
  logger: EventStoreLogger,
  resolved: ResolvedEvent | AllStreamResolvedEvent,
): void {
  logger.warn(
    {
      streamName: resolved.event?.streamId,
      eventId: resolved.event?.id,
      eventType: resolved.event?.type,
      position: positionOf(resolved)?.toString(),
    },
    'EventStoreDB: skipped an event whose data is not a JSON object',
  );
}

function isMetadata(value: unknown): value is EventMetadata {
  return isJsonObject(value);
}

export function toEventData(event: NewEvent): EventData {
  return jsonEvent({
    id: event.id,
    type: event.type,
    data: { ...event.data },
    metadata: { ...event.metadata },
  });
}

/**
 * Converts an event this adapter (or any JSON writer) stored. `position` is given when known
 * from elsewhere; stream reads on servers older than 22.6 carry none, and -1n then stands for
 * "unknown" (stream reads serve command handling, which does not use positions).
 */
export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent {
  const event = resolved.event;
  if (event === undefined) throw new Error('EventStoreDB returned an unresolved link event');
  if (!event.isJson || !isJsonObject(event.data)) {
    throw new Error(
      `event ${event.id} in stream ${event.streamId} is not a JSON object; this store holds only JSON`,
    );
  }
  return {
    id: event.id,
    streamName: event.streamId,
    revision: event.revision,
    position: positionOf(resolved) ?? -1n,
    type: event.type,
    data: event.data,
    metadata: isMetadata(event.metadata) ? event.metadata : {},
    createdAt: event.created,
  };
}
