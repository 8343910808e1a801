import { Type } from '@sinclair/typebox';
import { defineEvent, type EventOf } from '../event-definition.js';

/** Who may start a direct conversation with the user: anyone, or only their contacts. */
const MessagePolicySchema = Type.Union([Type.Literal('everyone'), Type.Literal('contacts')]);

/**
 * Version 2 states the message policy the account starts with, so that a later change of the
 * default cannot rewrite what earlier accounts began with. Version 1 accounts began with
 * `everyone`, the only policy there was.
 */
export const userRegistered = defineEvent(
  'UserRegistered',
  Type.Object({
    userId: Type.String(),
    username: Type.String(),
    email: Type.String(),
    displayName: Type.String(),
    passwordHash: Type.String({ description: 'bcrypt hash; the password itself never reaches the log' }),
    messagePolicy: MessagePolicySchema,
    registeredAt: Type.String(),
  }),
  [(v1) => ({ ...v1, messagePolicy: 'everyone' })],
);

/** A code was sent to the email; only its digest is kept, never the code. */
export const emailVerificationIssued = defineEvent(
  'EmailVerificationIssued',
  Type.Object({
    userId: Type.String(),
    email: Type.String(),
    codeDigest: Type.String(),
    issuedAt: Type.String(),
    expiresAt: Type.String(),
  }),
);

export const emailVerificationFailed = defineEvent(
  'EmailVerificationFailed',
  Type.Object({
    userId: Type.String(),
    email: Type.String(),
    attempt: Type.Integer({
      minimum: 1,
      description: 'wrong codes the current code has met, this one included',
    }),
    failedAt: Type.String(),
  }),
);

export const emailVerified = defineEvent(
  'EmailVerified',
  Type.Object({
    userId: Type.String(),
    email: Type.String(),
    codeDigest: Type.String({
      description: 'of the code that verified it, so presenting it again is answered alike',
    }),
    verifiedAt: Type.String(),
  }),
);

export const profileChanged = defineEvent(
  'ProfileChanged',
  Type.Object({
    userId: Type.String(),
    displayName: Type.Optional(Type.String()),
    messagePolicy: Type.Optional(MessagePolicySchema),
    changedAt: Type.String(),
  }),
);

export const userEvents = [
  userRegistered,
  emailVerificationIssued,
  emailVerificationFailed,
  emailVerified,
  profileChanged,
] as const;

export type UserRegistered = EventOf<typeof userRegistered>;
export type EmailVerificationIssued = EventOf<typeof emailVerificationIssued>;
export type EmailVerificationFailed = EventOf<typeof emailVerificationFailed>;
export type EmailVerified = EventOf<typeof emailVerified>;
export type ProfileChanged = EventOf<typeof profileChanged>;
export type UserEvent = EventOf<(typeof userEvents)[number]>;
export type MessagePolicy = UserRegistered['data']['messagePolicy'];
