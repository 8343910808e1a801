export interface MessageRecord {
  readonly senderId: string;
  readonly seq: number;
  readonly deleted: boolean;
  /** Members the message was kept from (they block its sender); absent when none. */
  readonly hiddenFrom?: ReadonlySet<string>;
}

export type ActiveConversation = {
  readonly status: 'active';
  readonly conversationId: string;
  readonly kind: 'direct' | 'group';
  readonly title: string | null;
  /** Who created a group (and so may remove others); null for a direct conversation. */
  readonly creatorId: string | null;
  readonly members: ReadonlySet<string>;
  readonly messages: ReadonlyMap<string, MessageRecord>;
  /** `${senderId}:${clientMessageId}` → messageId, for idempotent re-sends. */
  readonly clientMessages: ReadonlyMap<string, string>;
  readonly lastSeq: number;
  readonly readMarkers: ReadonlyMap<string, number>;
};

export type ConversationState = { readonly status: 'none' } | ActiveConversation;

export const clientMessageKey = (senderId: string, clientMessageId: string) =>
  `${senderId}:${clientMessageId}`;

export const MAX_BODY_LENGTH = 4000;
export const MAX_TITLE_LENGTH = 200;
export const MAX_GROUP_MEMBERS = 256;
