export type SendMessage = {
  readonly type: 'SendMessage';
  readonly conversationId: string;
  readonly senderId: string;
  readonly messageId: string;
  readonly body: string;
  readonly clientMessageId?: string;
  /** For a direct message: the recipient; starts the conversation if it does not exist yet. */
  readonly directRecipientId?: string;
  readonly now: string;
};

export type ConversationCommand = SendMessage;
