import { assertNever, typeGuard, type Decider } from '../decider.js';
import { forbidden, invalid, notFound } from '../errors.js';
import type { ConversationCommand, SendMessage } from './commands.js';
import { conversationEventTypes, type ConversationEvent, type MessageSent } from './events.js';
import { clientMessageKey, MAX_BODY_LENGTH, type ConversationState } from './state.js';

export const conversationStreamName = (conversationId: string) => `conversation-${conversationId}`;

type Active = Extract<ConversationState, { status: 'active' }>;

/**
 * Folding a long conversation must stay linear, so `evolve` extends the message maps of the state
 * it was given instead of copying them; a fold owns the states it builds and keeps only the last.
 */
function evolve(state: ConversationState, event: ConversationEvent): ConversationState {
  switch (event.type) {
    case 'DirectConversationStarted':
      return {
        status: 'active',
        conversationId: event.data.conversationId,
        kind: 'direct',
        members: new Set(event.data.memberIds),
        messages: new Map(),
        clientMessages: new Map(),
      };
    case 'MessageSent': {
      if (state.status !== 'active') return state;
      (state.messages as Map<string, { senderId: string }>).set(event.data.messageId, {
        senderId: event.data.senderId,
      });
      if (event.data.clientMessageId !== undefined) {
        (state.clientMessages as Map<string, string>).set(
          clientMessageKey(event.data.senderId, event.data.clientMessageId),
          event.data.messageId,
        );
      }
      return state;
    }
    default:
      return assertNever(event);
  }
}

function checkedBody(body: string): string {
  const trimmed = body.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_BODY_LENGTH) {
    throw invalid('invalid_body', `a message body must be 1 to ${MAX_BODY_LENGTH} characters after trimming`);
  }
  return trimmed;
}

function messageSent(command: SendMessage, body: string, recipientIds: readonly string[]): MessageSent {
  return {
    type: 'MessageSent',
    data: {
      conversationId: command.conversationId,
      messageId: command.messageId,
      senderId: command.senderId,
      body,
      ...(command.clientMessageId !== undefined ? { clientMessageId: command.clientMessageId } : {}),
      recipientIds,
      sentAt: command.now,
    },
  };
}

function sendMessage(command: SendMessage, state: ConversationState): ConversationEvent[] {
  if (state.status === 'none') {
    const recipient = command.directRecipientId;
    if (recipient === undefined) throw notFound('conversation_not_found', 'no such conversation');
    if (recipient === command.senderId) throw invalid('cannot_message_self', 'you cannot message yourself');
    const body = checkedBody(command.body);
    const memberIds = [command.senderId, recipient].sort();
    return [
      {
        type: 'DirectConversationStarted',
        data: { conversationId: command.conversationId, memberIds, startedAt: command.now },
      },
      messageSent(command, body, memberIds),
    ];
  }
  return sendToActive(command, state);
}

function sendToActive(command: SendMessage, state: Active): ConversationEvent[] {
  if (!state.members.has(command.senderId)) {
    throw forbidden('not_a_member', 'you are not a member of this conversation');
  }
  if (
    command.clientMessageId !== undefined &&
    state.clientMessages.has(clientMessageKey(command.senderId, command.clientMessageId))
  ) {
    return [];
  }
  return [messageSent(command, checkedBody(command.body), [...state.members].sort())];
}

export const conversationDecider: Decider<ConversationState, ConversationCommand, ConversationEvent> = {
  initialState: () => ({ status: 'none' }),
  isEvent: typeGuard<ConversationEvent>(conversationEventTypes),
  evolve,
  decide(command, state) {
    switch (command.type) {
      case 'SendMessage':
        return sendMessage(command, state);
      default:
        return assertNever(command.type);
    }
  },
};

/** The message a sender already sent with this client id, if any (for idempotent re-sends). */
export function messageIdForClientId(
  state: ConversationState,
  senderId: string,
  clientMessageId: string,
): string | undefined {
  return state.status === 'active'
    ? state.clientMessages.get(clientMessageKey(senderId, clientMessageId))
    : undefined;
}
