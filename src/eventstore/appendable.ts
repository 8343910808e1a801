import { DuplicateEventIdError } from './errors.js';
import type { NewEvent } from './port.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The rules every adapter applies before sending anything, so that both stores refuse the same
 * appends the same way: at least one event; a stream name that is not empty and not one of
 * EventStoreDB's `$` system streams; types that are not empty and not `$` system types (which
 * EventStoreDB's readers skip); ids that are UUIDs, none twice.
 */
export function assertAppendable(streamName: string, events: readonly NewEvent[]): void {
  if (streamName.length === 0) throw new TypeError('stream name must not be empty');
  if (streamName.startsWith('$')) throw new TypeError('stream names starting with $ are reserved');
  if (events.length === 0) throw new TypeError('an append needs at least one event');
  const seen = new Set<string>();
  for (const event of events) {
    if (!UUID.test(event.id)) throw new TypeError(`event id ${JSON.stringify(event.id)} is not a UUID`);
    if (event.type.length === 0 || event.type.startsWith('$')) {
      throw new TypeError(`event type ${JSON.stringify(event.type)} is empty or reserved ($)`);
    }
    const id = event.id.toLowerCase();
    if (seen.has(id)) throw new DuplicateEventIdError(streamName, event.id);
    seen.add(id);
  }
}
