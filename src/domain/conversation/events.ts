import type { DomainEvent } from '../decider.js';

/**
 * Events of a conversation stream. Those that reach clients carry `recipientIds`: the members at
 * the time of the event, who therefore receive it; the realtime node routes by it alone, so a
 * member added or removed is included or excluded from the very next event on.
 */
export type DirectConversationStarted = DomainEvent<
  'DirectConversationStarted',
  { readonly conversationId: string; readonly memberIds: readonly string[]; readonly startedAt: string }
>;

export type GroupCreated = DomainEvent<
  'GroupCreated',
  {
    readonly conversationId: string;
    readonly title: string;
    readonly creatorId: string;
    readonly memberIds: readonly string[];
    readonly createdAt: string;
  }
>;

export type MemberAdded = DomainEvent<
  'MemberAdded',
  {
    readonly conversationId: string;
    readonly userId: string;
    readonly addedBy: string;
    /** The new member's read marker: everything sent before they joined counts as read. */
    readonly readUpToSeq: number;
    readonly recipientIds: readonly string[];
    readonly addedAt: string;
  }
>;

export type MemberRemoved = DomainEvent<
  'MemberRemoved',
  {
    readonly conversationId: string;
    readonly userId: string;
    /** Equal to userId when the member left. */
    readonly removedBy: string;
    /** Members before the removal, the removed one included, so they learn of it too. */
    readonly recipientIds: readonly string[];
    readonly removedAt: string;
  }
>;

export type MessageSent = DomainEvent<
  'MessageSent',
  {
    readonly conversationId: string;
    readonly messageId: string;
    /** 1, 2, 3… within the conversation. */
    readonly seq: number;
    readonly senderId: string;
    readonly body: string;
    readonly clientMessageId?: string;
    readonly recipientIds: readonly string[];
    readonly sentAt: string;
  }
>;

export type MessageEdited = DomainEvent<
  'MessageEdited',
  {
    readonly conversationId: string;
    readonly messageId: string;
    readonly seq: number;
    readonly senderId: string;
    readonly body: string;
    readonly recipientIds: readonly string[];
    readonly editedAt: string;
  }
>;

/** Carries no body: a deleted message's text is in no read model and no frame. */
export type MessageDeleted = DomainEvent<
  'MessageDeleted',
  {
    readonly conversationId: string;
    readonly messageId: string;
    readonly seq: number;
    readonly senderId: string;
    readonly recipientIds: readonly string[];
    readonly deletedAt: string;
  }
>;

export type ConversationRead = DomainEvent<
  'ConversationRead',
  {
    readonly conversationId: string;
    readonly userId: string;
    readonly messageId: string;
    readonly readUpToSeq: number;
    /** Messages from others after the marker that are not deleted: the reader's unread count. */
    readonly unreadCount: number;
    /** Present (true) when only the reader may see the marker; absent, the other members see it too. */
    readonly private?: true;
    /** Who is told of the marker: the members, or the reader alone when private (absent in older events). */
    readonly recipientIds?: readonly string[];
    readonly readAt: string;
  }
>;

export type ConversationEvent =
  | DirectConversationStarted
  | GroupCreated
  | MemberAdded
  | MemberRemoved
  | MessageSent
  | MessageEdited
  | MessageDeleted
  | ConversationRead;

export const conversationEventTypes: readonly ConversationEvent['type'][] = [
  'DirectConversationStarted',
  'GroupCreated',
  'MemberAdded',
  'MemberRemoved',
  'MessageSent',
  'MessageEdited',
  'MessageDeleted',
  'ConversationRead',
];
