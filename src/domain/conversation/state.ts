export interface SentMessage {
  readonly senderId: string;
}

export type ConversationState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active';
      readonly conversationId: string;
      readonly kind: 'direct';
      readonly members: ReadonlySet<string>;
      readonly messages: ReadonlyMap<string, SentMessage>;
      /** `${senderId}:${clientMessageId}` → messageId, for idempotent re-sends. */
      readonly clientMessages: ReadonlyMap<string, string>;
    };

export const clientMessageKey = (senderId: string, clientMessageId: string) =>
  `${senderId}:${clientMessageId}`;

export const MAX_BODY_LENGTH = 4000;
