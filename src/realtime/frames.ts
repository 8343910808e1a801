import type { ContactAdded, ContactRemoved } from '../domain/contacts/contacts.js';
import type { MessageSent } from '../domain/conversation/events.js';
import type { RecordedEvent } from '../eventstore/port.js';
import type { RealtimeFrame } from './realtime-frame.js';

/**
 * What a stored event means to connected clients: the frame type of the public contract, who it
 * concerns, and the data they may see. Events that concern no client map to undefined.
 */
export function frameFor(event: RecordedEvent): RealtimeFrame | undefined {
  switch (event.type) {
    case 'MessageSent': {
      // The audience decides routing; clients do not need the member list repeated per message.
      const { recipientIds, ...data } = event.data as MessageSent['data'];
      return { type: 'message.sent', position: event.position, audience: recipientIds, data };
    }
    case 'ContactAdded': {
      const data = event.data as ContactAdded['data'];
      return { type: 'contact.added', position: event.position, audience: [data.ownerId], data };
    }
    case 'ContactRemoved': {
      const data = event.data as ContactRemoved['data'];
      return { type: 'contact.removed', position: event.position, audience: [data.ownerId], data };
    }
    default:
      return undefined;
  }
}
