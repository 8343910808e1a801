import type { ContactAdded, ContactRemoved } from '../domain/contacts/contacts.js';
import type { ConversationEvent, ConversationRead } from '../domain/conversation/events.js';
import type { RecordedEvent } from '../eventstore/port.js';
import type { RealtimeFrame } from './realtime-frame.js';

/** Conversation events whose data names who receives them (`recipientIds`) and their frame type. */
const ROUTED_BY_RECIPIENTS: Partial<Record<ConversationEvent['type'], string>> = {
  MessageSent: 'message.sent',
  MessageEdited: 'message.edited',
  MessageDeleted: 'message.deleted',
  MemberAdded: 'member.added',
  MemberRemoved: 'member.removed',
};

/**
 * What a stored event means to connected clients: the frame type of the public contract, who it
 * concerns, and the data they may see. Events that concern no client map to undefined.
 */
export function frameFor(event: RecordedEvent): RealtimeFrame | undefined {
  const { position } = event;
  const routed = ROUTED_BY_RECIPIENTS[event.type as ConversationEvent['type']];
  if (routed !== undefined) {
    // The audience decides routing; clients do not need the member list repeated per event.
    const { recipientIds, ...data } = event.data as { recipientIds: string[] };
    return { type: routed, position, audience: recipientIds, data };
  }
  switch (event.type) {
    case 'DirectConversationStarted':
    case 'GroupCreated': {
      const data = event.data as { memberIds: string[] };
      const kind = event.type === 'GroupCreated' ? 'group' : 'direct';
      return { type: 'conversation.created', position, audience: data.memberIds, data: { ...data, kind } };
    }
    case 'ConversationRead': {
      // Older markers name no recipients: they were the reader's alone.
      const { recipientIds, ...data } = event.data as ConversationRead['data'];
      return { type: 'conversation.read', position, audience: recipientIds ?? [data.userId], data };
    }
    case 'ContactAdded': {
      const data = event.data as ContactAdded['data'];
      return { type: 'contact.added', position, audience: [data.ownerId], data };
    }
    case 'ContactRemoved': {
      const data = event.data as ContactRemoved['data'];
      return { type: 'contact.removed', position, audience: [data.ownerId], data };
    }
    default:
      return undefined;
  }
}
