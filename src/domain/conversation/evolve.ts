import { assertNever } from '../decider.js';
import type { ConversationEvent } from './events.js';
import {
  clientMessageKey,
  type ActiveConversation,
  type ConversationState,
  type MessageRecord,
} from './state.js';

function started(
  conversationId: string,
  kind: 'direct' | 'group',
  memberIds: readonly string[],
  title: string | null,
  creatorId: string | null,
): ActiveConversation {
  return {
    status: 'active',
    conversationId,
    kind,
    title,
    creatorId,
    members: new Set(memberIds),
    messages: new Map(),
    clientMessages: new Map(),
    lastSeq: 0,
    readMarkers: new Map(),
  };
}

/**
 * Folding a long conversation must stay linear, so per-message maps are extended in place rather
 * than copied; a fold owns the states it builds and keeps only the last (the aggregate cache hands
 * a state to one command at a time).
 */
export function evolve(state: ConversationState, event: ConversationEvent): ConversationState {
  if (event.type === 'DirectConversationStarted') {
    return started(event.data.conversationId, 'direct', event.data.memberIds, null, null);
  }
  if (event.type === 'GroupCreated') {
    return started(
      event.data.conversationId,
      'group',
      event.data.memberIds,
      event.data.title,
      event.data.creatorId,
    );
  }
  if (state.status !== 'active') return state;
  const messages = state.messages as Map<string, MessageRecord>;
  switch (event.type) {
    case 'MemberAdded': {
      const readMarkers = new Map(state.readMarkers).set(event.data.userId, event.data.readUpToSeq);
      return { ...state, members: new Set(state.members).add(event.data.userId), readMarkers };
    }
    case 'MemberRemoved': {
      const members = new Set(state.members);
      members.delete(event.data.userId);
      return { ...state, members };
    }
    case 'MessageSent': {
      const { recipientIds } = event.data;
      // Usually everyone receives it; only then is the member list not walked.
      const hiddenFrom =
        recipientIds.length < state.members.size
          ? new Set([...state.members].filter((member) => !recipientIds.includes(member)))
          : undefined;
      messages.set(event.data.messageId, {
        senderId: event.data.senderId,
        seq: event.data.seq,
        deleted: false,
        ...(hiddenFrom && hiddenFrom.size > 0 ? { hiddenFrom } : {}),
      });
      if (event.data.clientMessageId !== undefined) {
        (state.clientMessages as Map<string, string>).set(
          clientMessageKey(event.data.senderId, event.data.clientMessageId),
          event.data.messageId,
        );
      }
      return { ...state, lastSeq: event.data.seq };
    }
    case 'MessageEdited':
      return state;
    case 'MessageDeleted': {
      const message = messages.get(event.data.messageId);
      if (message) messages.set(event.data.messageId, { ...message, deleted: true });
      return state;
    }
    case 'ConversationRead':
      return {
        ...state,
        readMarkers: new Map(state.readMarkers).set(event.data.userId, event.data.readUpToSeq),
      };
    default:
      return assertNever(event);
  }
}
