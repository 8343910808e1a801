interface Base {
  readonly conversationId: string;
  /** The acting user. */
  readonly actorId: string;
  readonly now: string;
}

/**
 * Who, among the users a command concerns, blocks the acting user: looked up by the caller (block
 * lists are other aggregates). A block holds everywhere: nobody is put in a group with someone
 * they block, and they receive none of that user's messages in a group they already share.
 */
interface BlockedBy {
  readonly blockedBy?: readonly string[];
}

export type CreateGroup = Base &
  BlockedBy & {
    readonly type: 'CreateGroup';
    readonly title: string;
    readonly memberIds: readonly string[];
  };
export type AddMember = Base & BlockedBy & { readonly type: 'AddMember'; readonly userId: string };
export type RemoveMember = Base & { readonly type: 'RemoveMember'; readonly userId: string };
export type SendMessage = Base &
  BlockedBy & {
    readonly type: 'SendMessage';
    readonly messageId: string;
    readonly body: string;
    readonly clientMessageId?: string;
    /** For a direct message: the recipient; starts the conversation if it does not exist yet. */
    readonly directRecipientId?: string;
    /** Set by the caller when either user of a direct conversation blocks the other. */
    readonly blocked?: boolean;
    /**
     * Set by the caller to false when the recipient of a first direct message takes messages only
     * from their contacts and the sender is not one.
     */
    readonly recipientAccepts?: boolean;
  };
export type EditMessage = Base &
  BlockedBy & {
    readonly type: 'EditMessage';
    readonly messageId: string;
    readonly body: string;
  };
export type DeleteMessage = Base & BlockedBy & { readonly type: 'DeleteMessage'; readonly messageId: string };
export type MarkRead = Base & {
  readonly type: 'MarkRead';
  readonly messageId: string;
  /** A private read marker is seen by the reader's own devices only, not by the other members. */
  readonly private?: boolean;
};

export type ConversationCommand =
  CreateGroup | AddMember | RemoveMember | SendMessage | EditMessage | DeleteMessage | MarkRead;
