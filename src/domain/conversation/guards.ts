import { refuse } from '../errors.js';
import {
  MAX_BODY_LENGTH,
  type ActiveConversation,
  type ConversationState,
  type MessageRecord,
} from './state.js';

export const sorted = (ids: Iterable<string>) => [...ids].sort();

export function checkedBody(body: string): string {
  const trimmed = body.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_BODY_LENGTH) {
    throw refuse('invalid_body', `a message body must be 1 to ${MAX_BODY_LENGTH} characters after trimming`);
  }
  return trimmed;
}

export function existing(state: ConversationState): ActiveConversation {
  if (state.status !== 'active') throw refuse('conversation_not_found', 'no such conversation');
  return state;
}

export function asMember(state: ConversationState, actorId: string): ActiveConversation {
  const conversation = existing(state);
  if (!conversation.members.has(actorId)) {
    throw refuse('not_a_member', 'you are not a member of this conversation');
  }
  return conversation;
}

export function ownMessage(
  conversation: ActiveConversation,
  messageId: string,
  actorId: string,
): MessageRecord {
  const message = conversation.messages.get(messageId);
  if (!message || message.deleted) throw refuse('message_not_found', 'no such message in this conversation');
  if (message.senderId !== actorId) throw refuse('not_the_sender', 'only the sender may change a message');
  return message;
}

export function asGroup(conversation: ActiveConversation): ActiveConversation {
  if (conversation.kind !== 'group') throw refuse('not_a_group', 'members can be changed only in a group');
  return conversation;
}
