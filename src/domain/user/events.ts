import { Type } from '@sinclair/typebox';
import { defineEvent, type EventOf } from '../event-definition.js';
import { ERASED_DISPLAY_NAME, ERASED_EMAIL, userPersonalFields } from '../personal-data.js';

const sealedEmail = { personal: userPersonalFields({ email: ERASED_EMAIL }) };

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
  { personal: userPersonalFields({ email: ERASED_EMAIL, displayName: ERASED_DISPLAY_NAME }, true) },
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
  [],
  sealedEmail,
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
  [],
  sealedEmail,
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
  [],
  sealedEmail,
);

export const profileChanged = defineEvent(
  'ProfileChanged',
  Type.Object({
    userId: Type.String(),
    displayName: Type.Optional(Type.String()),
    messagePolicy: Type.Optional(MessagePolicySchema),
    changedAt: Type.String(),
  }),
  [],
  { personal: userPersonalFields({ displayName: ERASED_DISPLAY_NAME }) },
);

/**
 * The password changed: by the user with the current one (`change`: every session but `keptSessionId`
 * ends) or with a mailed reset code (`reset`: every session ends). Sessions started before
 * `changedAt` are refused from then on.
 */
export const passwordChanged = defineEvent(
  'PasswordChanged',
  Type.Object({
    userId: Type.String(),
    passwordHash: Type.String({ description: 'bcrypt hash of the new password' }),
    reason: Type.Union([Type.Literal('change'), Type.Literal('reset')]),
    keptSessionId: Type.Optional(Type.String({ description: 'the session that made the change' })),
    codeDigest: Type.Optional(Type.String({ description: 'of the reset code used' })),
    changedAt: Type.String(),
  }),
);

/** A password-reset code was mailed; only its digest is kept. */
export const passwordResetIssued = defineEvent(
  'PasswordResetIssued',
  Type.Object({
    userId: Type.String(),
    codeDigest: Type.String(),
    issuedAt: Type.String(),
    expiresAt: Type.String(),
  }),
);

export const passwordResetFailed = defineEvent(
  'PasswordResetFailed',
  Type.Object({
    userId: Type.String(),
    attempt: Type.Integer({ minimum: 1, description: 'wrong codes since the latest code was mailed' }),
    failedAt: Type.String(),
  }),
);

/**
 * The account was erased: its keys are destroyed, so its email, display name and message bodies
 * read as erased everywhere. The username stays, reserved for good.
 */
export const userErased = defineEvent(
  'UserErased',
  Type.Object({ userId: Type.String(), username: Type.String(), erasedAt: Type.String() }),
  [],
  { erases: (data) => ({ owner: String(data.userId) }) },
);

export const userEvents = [
  userRegistered,
  emailVerificationIssued,
  emailVerificationFailed,
  emailVerified,
  profileChanged,
  passwordChanged,
  passwordResetIssued,
  passwordResetFailed,
  userErased,
] as const;

export type UserRegistered = EventOf<typeof userRegistered>;
export type EmailVerificationIssued = EventOf<typeof emailVerificationIssued>;
export type EmailVerificationFailed = EventOf<typeof emailVerificationFailed>;
export type EmailVerified = EventOf<typeof emailVerified>;
export type ProfileChanged = EventOf<typeof profileChanged>;
export type PasswordChanged = EventOf<typeof passwordChanged>;
export type PasswordResetIssued = EventOf<typeof passwordResetIssued>;
export type PasswordResetFailed = EventOf<typeof passwordResetFailed>;
export type UserErased = EventOf<typeof userErased>;
export type UserEvent = EventOf<(typeof userEvents)[number]>;
export type MessagePolicy = UserRegistered['data']['messagePolicy'];
