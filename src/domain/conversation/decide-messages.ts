import { refuse } from '../errors.js';
import type { DeleteMessage, EditMessage, MarkRead, SendMessage } from './commands.js';
import type { ConversationEvent, MessageSent } from './events.js';
import { asMember, checkedBody, ownMessage, sorted } from './guards.js';
import { clientMessageKey, type ConversationState } from './state.js';

function messageSent(command: SendMessage, seq: number, recipientIds: readonly string[]): MessageSent {
  return {
    type: 'MessageSent',
    data: {
      conversationId: command.conversationId,
      messageId: command.messageId,
      seq,
      senderId: command.actorId,
      body: checkedBody(command.body),
      ...(command.clientMessageId !== undefined ? { clientMessageId: command.clientMessageId } : {}),
      recipientIds,
      sentAt: command.now,
    },
  };
}

export function sendMessage(command: SendMessage, state: ConversationState): ConversationEvent[] {
  if (state.status === 'none' && command.directRecipientId !== undefined) {
    const recipient = command.directRecipientId;
    if (recipient === command.actorId) throw refuse('cannot_message_self', 'you cannot message yourself');
    if (command.blocked) throw refuse('blocked', 'messages between you and this user are blocked');
    if (command.recipientAccepts === false) {
      throw refuse('not_accepting_messages', 'this user takes new conversations from their contacts only');
    }
    const memberIds = sorted([command.actorId, recipient]);
    const message = messageSent(command, 1, memberIds);
    return [
      {
        type: 'DirectConversationStarted',
        data: { conversationId: command.conversationId, memberIds, startedAt: command.now },
      },
      message,
    ];
  }
  const conversation = asMember(state, command.actorId);
  if (
    command.clientMessageId !== undefined &&
    conversation.clientMessages.has(clientMessageKey(command.actorId, command.clientMessageId))
  ) {
    return [];
  }
  if (conversation.kind === 'direct' && command.blocked) {
    throw refuse('blocked', 'messages between you and this user are blocked');
  }
  return [
    messageSent(command, conversation.lastSeq + 1, recipients(conversation.members, command.blockedBy)),
  ];
}

/** The members who receive a message: all of them but those who block its sender. */
function recipients(members: ReadonlySet<string>, blockedBy: readonly string[] = []): string[] {
  return sorted([...members].filter((member) => !blockedBy.includes(member)));
}

export function editMessage(command: EditMessage, state: ConversationState): ConversationEvent[] {
  const conversation = asMember(state, command.actorId);
  const message = ownMessage(conversation, command.messageId, command.actorId);
  return [
    {
      type: 'MessageEdited',
      data: {
        conversationId: conversation.conversationId,
        messageId: command.messageId,
        seq: message.seq,
        senderId: command.actorId,
        body: checkedBody(command.body),
        recipientIds: recipients(conversation.members, command.blockedBy),
        editedAt: command.now,
      },
    },
  ];
}

export function deleteMessage(command: DeleteMessage, state: ConversationState): ConversationEvent[] {
  const conversation = asMember(state, command.actorId);
  const message = ownMessage(conversation, command.messageId, command.actorId);
  return [
    {
      type: 'MessageDeleted',
      data: {
        conversationId: conversation.conversationId,
        messageId: command.messageId,
        seq: message.seq,
        senderId: command.actorId,
        recipientIds: recipients(conversation.members, command.blockedBy),
        deletedAt: command.now,
      },
    },
  ];
}

export function markRead(command: MarkRead, state: ConversationState): ConversationEvent[] {
  const conversation = asMember(state, command.actorId);
  const message = conversation.messages.get(command.messageId);
  if (!message) throw refuse('message_not_found', 'no such message in this conversation');
  const marker = conversation.readMarkers.get(command.actorId) ?? 0;
  if (message.seq <= marker) return [];
  let unreadCount = 0;
  for (const other of conversation.messages.values()) {
    if (
      other.seq > message.seq &&
      !other.deleted &&
      other.senderId !== command.actorId &&
      !other.hiddenFrom?.has(command.actorId)
    ) {
      unreadCount++;
    }
  }
  return [
    {
      type: 'ConversationRead',
      data: {
        conversationId: conversation.conversationId,
        userId: command.actorId,
        messageId: command.messageId,
        readUpToSeq: message.seq,
        unreadCount,
        ...(command.private ? { private: true as const } : {}),
        recipientIds: command.private ? [command.actorId] : sorted(conversation.members),
        readAt: command.now,
      },
    },
  ];
}
