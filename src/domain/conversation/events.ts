import type { DomainEvent } from '../decider.js';

export type DirectConversationStarted = DomainEvent<
  'DirectConversationStarted',
  { readonly conversationId: string; readonly memberIds: readonly string[]; readonly startedAt: string }
>;

export type MessageSent = DomainEvent<
  'MessageSent',
  {
    readonly conversationId: string;
    readonly messageId: string;
    readonly senderId: string;
    readonly body: string;
    readonly clientMessageId?: string;
    /** Every member when the message was sent, sender included: whom the message reaches. */
    readonly recipientIds: readonly string[];
    readonly sentAt: string;
  }
>;

export type ConversationEvent = DirectConversationStarted | MessageSent;

export const conversationEventTypes: readonly ConversationEvent['type'][] = [
  'DirectConversationStarted',
  'MessageSent',
];
