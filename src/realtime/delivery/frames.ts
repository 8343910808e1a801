import { isErasedBody } from '../../domain/personal-data.js';
import type { LoggedEvent } from '../../log.js';
import type { RealtimeFrame } from '../realtime-frame.js';

/** The frame of a conversation event routed by its `recipientIds`, which clients do not need repeated. */
function routed(
  type: string,
  event: LoggedEvent & { data: { recipientIds: readonly string[] } },
): RealtimeFrame {
  const { recipientIds, ...data } = event.data;
  // A body whose key is destroyed (deleted, or its sender erased) goes out as no body at all.
  if ('body' in data && typeof data.body === 'string' && isErasedBody(data.body)) {
    const { body: _erased, ...rest } = data;
    return { type, position: event.position, audience: recipientIds, data: rest };
  }
  return { type, position: event.position, audience: recipientIds, data };
}

/**
 * What a stored event means to connected clients: the frame type of the public contract, who it
 * concerns, and the data they may see. Events that concern no client map to undefined.
 */
export function frameFor(event: LoggedEvent): RealtimeFrame | undefined {
  const { position } = event;
  switch (event.type) {
    case 'MessageSent':
      return routed('message.sent', event);
    case 'MessageEdited':
      return routed('message.edited', event);
    case 'MessageDeleted':
      return routed('message.deleted', event);
    case 'MemberAdded':
      return routed('member.added', event);
    case 'MemberRemoved':
      return routed('member.removed', event);
    case 'DirectConversationStarted':
      return {
        type: 'conversation.created',
        position,
        audience: event.data.memberIds,
        data: { ...event.data, kind: 'direct' },
      };
    case 'GroupCreated':
      return {
        type: 'conversation.created',
        position,
        audience: event.data.memberIds,
        data: { ...event.data, kind: 'group' },
      };
    case 'ConversationRead': {
      // Older markers name no recipients: they were the reader's alone.
      const { recipientIds, ...data } = event.data;
      return { type: 'conversation.read', position, audience: recipientIds ?? [data.userId], data };
    }
    case 'ContactAdded':
      return { type: 'contact.added', position, audience: [event.data.ownerId], data: event.data };
    case 'ContactRemoved':
      return { type: 'contact.removed', position, audience: [event.data.ownerId], data: event.data };
    default:
      return undefined;
  }
}
