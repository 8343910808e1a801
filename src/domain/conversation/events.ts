import { Type } from '@sinclair/typebox';
import { defineEvent, type EventOf } from '../event-definition.js';
import { messageBody, messageKey, newMessageBody } from '../personal-data.js';

/*
 * Events of a conversation stream. Those that reach clients carry `recipientIds`: the members at
 * the time of the event, who therefore receive it; the realtime node routes by it alone, so a
 * member added or removed is included or excluded from the very next event on.
 */

const Ids = Type.Array(Type.String());
const Recipients = Type.Array(Type.String(), { description: 'members who receive the event' });

export const directConversationStarted = defineEvent(
  'DirectConversationStarted',
  Type.Object({ conversationId: Type.String(), memberIds: Ids, startedAt: Type.String() }),
);

export const groupCreated = defineEvent(
  'GroupCreated',
  Type.Object({
    conversationId: Type.String(),
    title: Type.String(),
    creatorId: Type.String(),
    memberIds: Ids,
    createdAt: Type.String(),
  }),
);

export const memberAdded = defineEvent(
  'MemberAdded',
  Type.Object({
    conversationId: Type.String(),
    userId: Type.String(),
    addedBy: Type.String(),
    readUpToSeq: Type.Integer({
      minimum: 0,
      description: "the new member's read marker: everything sent before they joined counts as read",
    }),
    recipientIds: Recipients,
    addedAt: Type.String(),
  }),
);

export const memberRemoved = defineEvent(
  'MemberRemoved',
  Type.Object({
    conversationId: Type.String(),
    userId: Type.String(),
    removedBy: Type.String({ description: 'equal to userId when the member left' }),
    recipientIds: Type.Array(Type.String(), {
      description: 'members before the removal, the removed one included, so they learn of it too',
    }),
    removedAt: Type.String(),
  }),
);

export const messageSent = defineEvent(
  'MessageSent',
  Type.Object({
    conversationId: Type.String(),
    messageId: Type.String(),
    seq: Type.Integer({ minimum: 1, description: '1, 2, 3… within the conversation' }),
    senderId: Type.String(),
    body: Type.String(),
    clientMessageId: Type.Optional(Type.String()),
    recipientIds: Recipients,
    sentAt: Type.String(),
  }),
  [],
  { personal: newMessageBody },
);

export const messageEdited = defineEvent(
  'MessageEdited',
  Type.Object({
    conversationId: Type.String(),
    messageId: Type.String(),
    seq: Type.Integer({ minimum: 1 }),
    senderId: Type.String(),
    body: Type.String(),
    recipientIds: Recipients,
    editedAt: Type.String(),
  }),
  [],
  { personal: messageBody },
);

/** Carries no body; it destroys the message's key, so the body is gone from the log too. */
export const messageDeleted = defineEvent(
  'MessageDeleted',
  Type.Object({
    conversationId: Type.String(),
    messageId: Type.String(),
    seq: Type.Integer({ minimum: 1 }),
    senderId: Type.String(),
    recipientIds: Recipients,
    deletedAt: Type.String(),
  }),
  [],
  { erases: messageKey },
);

export const conversationRead = defineEvent(
  'ConversationRead',
  Type.Object({
    conversationId: Type.String(),
    userId: Type.String(),
    messageId: Type.String(),
    readUpToSeq: Type.Integer({ minimum: 0 }),
    unreadCount: Type.Integer({
      minimum: 0,
      description: "messages from others after the marker that are not deleted: the reader's unread count",
    }),
    private: Type.Optional(
      Type.Literal(true, {
        description: 'only the reader may see the marker; absent, the other members see it too',
      }),
    ),
    recipientIds: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'who is told of the marker: the members, or the reader alone when private (absent in older events)',
      }),
    ),
    readAt: Type.String(),
  }),
);

export const conversationEvents = [
  directConversationStarted,
  groupCreated,
  memberAdded,
  memberRemoved,
  messageSent,
  messageEdited,
  messageDeleted,
  conversationRead,
] as const;

export type DirectConversationStarted = EventOf<typeof directConversationStarted>;
export type GroupCreated = EventOf<typeof groupCreated>;
export type MemberAdded = EventOf<typeof memberAdded>;
export type MemberRemoved = EventOf<typeof memberRemoved>;
export type MessageSent = EventOf<typeof messageSent>;
export type MessageEdited = EventOf<typeof messageEdited>;
export type MessageDeleted = EventOf<typeof messageDeleted>;
export type ConversationRead = EventOf<typeof conversationRead>;
export type ConversationEvent = EventOf<(typeof conversationEvents)[number]>;

export const conversationEventTypes: readonly ConversationEvent['type'][] = conversationEvents.map(
  (definition) => definition.type,
);
