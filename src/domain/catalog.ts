import { blocksEvents } from './blocks/events.js';
import { contactsEvents } from './contacts/events.js';
import { conversationEvents } from './conversation/events.js';
import { eventCodec } from './event-codec.js';
import type { EventOf } from './event-definition.js';
import { reservationEvents } from './reservation/events.js';
import { sessionEvents } from './session/events.js';
import { userEvents } from './user/events.js';

/** Every event type the log holds, each defined (schema, version, upcasters) in its aggregate's folder. */
export const eventDefinitions = [
  ...userEvents,
  ...sessionEvents,
  ...reservationEvents,
  ...contactsEvents,
  ...blocksEvents,
  ...conversationEvents,
] as const;

export type CatalogEvent = EventOf<(typeof eventDefinitions)[number]>;
export type EventType = CatalogEvent['type'];

/** The catalog's codec: built once, its schemas compiled once. */
export const catalogCodec = eventCodec(eventDefinitions);
