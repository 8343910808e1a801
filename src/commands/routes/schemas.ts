import { Type } from '@sinclair/typebox';
import { MAX_BODY_LENGTH } from '../../domain/conversation/state.js';

export const UserId = Type.String({ format: 'uuid', description: 'a user id (UUID)' });
export const Username = Type.String({
  pattern: '^[A-Za-z0-9_.\\-]{3,32}$',
  description: '3 to 32 of a-z, 0-9, _ . - (case-insensitive)',
});
/** Global log position as a decimal string (64-bit). */
export const Position = Type.String({ pattern: '^[0-9]{1,20}$', examples: ['1042'] });
export const ClientMessageId = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'your id for this send: a retry with the same id returns the first result and writes nothing',
  examples: ['c0a8e4f2-6d1b-4f7e-9a51-3b2f0d9c7e11'],
});
/** At most 4000 characters; the domain trims surrounding whitespace, which must leave at least one. */
export const MessageBody = Type.String({
  minLength: 1,
  maxLength: MAX_BODY_LENGTH,
  description: `1 to ${MAX_BODY_LENGTH} characters; surrounding whitespace is trimmed and must leave at least one`,
  examples: ['hello'],
});
export const SendResult = Type.Object({
  messageId: Type.String(),
  conversationId: Type.String(),
  position: Position,
});
export const PositionResult = Type.Object({ position: Position });
export const ConversationId = Type.String({ format: 'uuid' });
