import { excludeSystemEvents, type EventStoreDBClient } from '@eventstore/db-client';
import { EventStoreUnavailableError } from '../errors.js';
import type { EventStoreLogger, RecordedEvent, SubscribeOptions } from '../port.js';
import { translateClientError } from './esdb-errors.js';
import { checkPosition, toReadPosition } from './read.js';
import { isReadable, isSystemEvent, positionOf, toRecordedEvent, warnUnreadable } from './recorded-event.js';

/**
 * A catch-up subscription to $all without system events (filtered by type on the server, by
 * stream here) and without events that are not JSON objects (skipped with a warning). The server
 * does the catch-up and the switch to live; `fromPosition` is exclusive, and events at or before
 * `after` are dropped here as well in case a server treats it otherwise. A start past the head,
 * which the server would take silently, is refused first.
 */
export async function* subscribeToAll(
  client: EventStoreDBClient,
  logger: EventStoreLogger,
  options: SubscribeOptions,
  closing: AbortSignal,
): AsyncGenerator<RecordedEvent, void, undefined> {
  const signal = options.signal === undefined ? closing : AbortSignal.any([closing, options.signal]);
  if (signal.aborted) return;
  const after = options.after;
  await checkPosition(client, after);
  if (signal.aborted) return;
  const subscription = client.subscribeToAll({
    fromPosition: toReadPosition(after),
    filter: excludeSystemEvents(),
  });
  // Destroying the stream settles a read in flight at once; unsubscribing cancels the gRPC call.
  // The call is being abandoned, so a failure to cancel it has no one left to report to.
  const stop = (): void => {
    subscription.destroy();
    subscription.unsubscribe().catch(() => undefined);
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const resolved of subscription) {
      if (signal.aborted) return;
      const position = positionOf(resolved);
      if (isSystemEvent(resolved) || position === undefined || (after !== undefined && position <= after))
        continue;
      if (!isReadable(resolved)) {
        warnUnreadable(logger, resolved);
        continue;
      }
      yield toRecordedEvent(resolved);
    }
  } catch (error) {
    if (signal.aborted) return;
    // The server refuses a start off a record boundary before it sends anything.
    throw translateClientError(error, after === undefined ? {} : { position: after });
  } finally {
    signal.removeEventListener('abort', stop);
    if (!subscription.destroyed) stop();
  }
  if (!signal.aborted) throw new EventStoreUnavailableError('EventStoreDB ended the $all subscription');
}
