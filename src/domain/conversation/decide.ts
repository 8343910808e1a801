import { assertNever } from '../decider.js';
import { forbidden, invalid, notFound } from '../errors.js';
import type {
  AddMember,
  ConversationCommand,
  CreateGroup,
  DeleteMessage,
  EditMessage,
  MarkRead,
  RemoveMember,
  SendMessage,
} from './commands.js';
import type { ConversationEvent, MessageSent } from './events.js';
import {
  clientMessageKey,
  MAX_BODY_LENGTH,
  MAX_GROUP_MEMBERS,
  MAX_TITLE_LENGTH,
  type ActiveConversation,
  type ConversationState,
  type MessageRecord,
} from './state.js';

const sorted = (ids: Iterable<string>) => [...ids].sort();

function checkedBody(body: string): string {
  const trimmed = body.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_BODY_LENGTH) {
    throw invalid('invalid_body', `a message body must be 1 to ${MAX_BODY_LENGTH} characters after trimming`);
  }
  return trimmed;
}

function existing(state: ConversationState): ActiveConversation {
  if (state.status !== 'active') throw notFound('conversation_not_found', 'no such conversation');
  return state;
}

function asMember(state: ConversationState, actorId: string): ActiveConversation {
  const conversation = existing(state);
  if (!conversation.members.has(actorId)) {
    throw forbidden('not_a_member', 'you are not a member of this conversation');
  }
  return conversation;
}

function ownMessage(conversation: ActiveConversation, messageId: string, actorId: string): MessageRecord {
  const message = conversation.messages.get(messageId);
  if (!message || message.deleted)
    throw notFound('message_not_found', 'no such message in this conversation');
  if (message.senderId !== actorId) throw forbidden('not_the_sender', 'only the sender may change a message');
  return message;
}

function asGroup(conversation: ActiveConversation): ActiveConversation {
  if (conversation.kind !== 'group') throw invalid('not_a_group', 'members can be changed only in a group');
  return conversation;
}

function createGroup(command: CreateGroup, state: ConversationState): ConversationEvent[] {
  if (state.status !== 'none') throw invalid('conversation_exists', 'this conversation already exists');
  const title = command.title.trim();
  if (title.length === 0 || title.length > MAX_TITLE_LENGTH) {
    throw invalid(
      'invalid_title',
      `a group title must be 1 to ${MAX_TITLE_LENGTH} characters after trimming`,
    );
  }
  const memberIds = sorted(new Set([command.actorId, ...command.memberIds]));
  if (memberIds.length > MAX_GROUP_MEMBERS) {
    throw invalid('too_many_members', `a group has at most ${MAX_GROUP_MEMBERS} members`);
  }
  return [
    {
      type: 'GroupCreated',
      data: {
        conversationId: command.conversationId,
        title,
        creatorId: command.actorId,
        memberIds,
        createdAt: command.now,
      },
    },
  ];
}

function addMember(command: AddMember, state: ConversationState): ConversationEvent[] {
  const group = asGroup(asMember(state, command.actorId));
  if (group.members.has(command.userId)) return [];
  if (group.members.size >= MAX_GROUP_MEMBERS) {
    throw invalid('too_many_members', `a group has at most ${MAX_GROUP_MEMBERS} members`);
  }
  return [
    {
      type: 'MemberAdded',
      data: {
        conversationId: group.conversationId,
        userId: command.userId,
        addedBy: command.actorId,
        readUpToSeq: group.lastSeq,
        recipientIds: sorted([...group.members, command.userId]),
        addedAt: command.now,
      },
    },
  ];
}

function removeMember(command: RemoveMember, state: ConversationState): ConversationEvent[] {
  const group = asGroup(asMember(state, command.actorId));
  if (command.userId !== command.actorId && group.creatorId !== command.actorId) {
    throw forbidden('not_the_creator', 'only the creator of a group may remove other members');
  }
  if (!group.members.has(command.userId)) throw notFound('member_not_found', 'that user is not a member');
  return [
    {
      type: 'MemberRemoved',
      data: {
        conversationId: group.conversationId,
        userId: command.userId,
        removedBy: command.actorId,
        recipientIds: sorted(group.members),
        removedAt: command.now,
      },
    },
  ];
}

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

function sendMessage(command: SendMessage, state: ConversationState): ConversationEvent[] {
  if (state.status === 'none' && command.directRecipientId !== undefined) {
    const recipient = command.directRecipientId;
    if (recipient === command.actorId) throw invalid('cannot_message_self', 'you cannot message yourself');
    if (command.blocked) throw forbidden('blocked', 'messages between you and this user are blocked');
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
    throw forbidden('blocked', 'messages between you and this user are blocked');
  }
  return [messageSent(command, conversation.lastSeq + 1, sorted(conversation.members))];
}

function editMessage(command: EditMessage, state: ConversationState): ConversationEvent[] {
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
        recipientIds: sorted(conversation.members),
        editedAt: command.now,
      },
    },
  ];
}

function deleteMessage(command: DeleteMessage, state: ConversationState): ConversationEvent[] {
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
        recipientIds: sorted(conversation.members),
        deletedAt: command.now,
      },
    },
  ];
}

function markRead(command: MarkRead, state: ConversationState): ConversationEvent[] {
  const conversation = asMember(state, command.actorId);
  const message = conversation.messages.get(command.messageId);
  if (!message) throw notFound('message_not_found', 'no such message in this conversation');
  const marker = conversation.readMarkers.get(command.actorId) ?? 0;
  if (message.seq <= marker) return [];
  let unreadCount = 0;
  for (const other of conversation.messages.values()) {
    if (other.seq > message.seq && !other.deleted && other.senderId !== command.actorId) unreadCount++;
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
        readAt: command.now,
      },
    },
  ];
}

export function decide(command: ConversationCommand, state: ConversationState): ConversationEvent[] {
  switch (command.type) {
    case 'CreateGroup':
      return createGroup(command, state);
    case 'AddMember':
      return addMember(command, state);
    case 'RemoveMember':
      return removeMember(command, state);
    case 'SendMessage':
      return sendMessage(command, state);
    case 'EditMessage':
      return editMessage(command, state);
    case 'DeleteMessage':
      return deleteMessage(command, state);
    case 'MarkRead':
      return markRead(command, state);
    default:
      return assertNever(command);
  }
}
