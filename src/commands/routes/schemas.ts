import { Type } from '@sinclair/typebox';

export const UserId = Type.String({ format: 'uuid', description: 'a user id (UUID)' });
export const Username = Type.String({
  pattern: '^[A-Za-z0-9_.\\-]{3,32}$',
  description: '3 to 32 of a-z, 0-9, _ . - (case-insensitive)',
});
/** Global log position as a decimal string (64-bit). */
export const Position = Type.String({ pattern: '^[0-9]{1,20}$' });
export const ClientMessageId = Type.String({ minLength: 1, maxLength: 128 });
/** Bounded here; the 1–4000 characters after trimming rule is the domain's. */
export const MessageBody = Type.String({ minLength: 1, maxLength: 16_000 });
export const SendResult = Type.Object({
  messageId: Type.String(),
  conversationId: Type.String(),
  position: Position,
});
export const PositionResult = Type.Object({ position: Position });
export const ConversationId = Type.String({ format: 'uuid' });
