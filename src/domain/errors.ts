/**
 * The domain's refusals. `kind` says what sort of refusal it is; `code` is stable and becomes the
 * problem type clients match on. Every code is listed once here, with its kind; the HTTP layer's
 * error table (src/platform/problems.ts) gives each its status and title.
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'forbidden' | 'conflict';

export const REFUSALS = {
  // Accounts and sessions
  user_exists: 'conflict',
  username_taken: 'conflict',
  email_taken: 'conflict',
  user_not_found: 'not_found',
  invalid_display_name: 'invalid',
  verification_code_invalid: 'invalid',
  verification_code_expired: 'invalid',
  verification_attempts_exhausted: 'invalid',
  email_not_verified: 'forbidden',
  reset_code_invalid: 'invalid',
  reset_attempts_exhausted: 'invalid',
  session_exists: 'conflict',
  invalid_refresh_token: 'conflict',
  // Contacts and blocks
  cannot_add_self: 'invalid',
  cannot_block_self: 'invalid',
  not_a_contact: 'not_found',
  // Conversations
  conversation_exists: 'invalid',
  conversation_not_found: 'not_found',
  invalid_title: 'invalid',
  not_a_group: 'invalid',
  too_many_members: 'invalid',
  not_a_member: 'forbidden',
  not_the_creator: 'forbidden',
  member_not_found: 'not_found',
  cannot_message_self: 'invalid',
  to_or_conversation: 'invalid',
  blocked: 'forbidden',
  not_accepting_messages: 'forbidden',
  // Messages
  invalid_body: 'invalid',
  message_not_found: 'not_found',
  not_the_sender: 'forbidden',
} as const satisfies Record<string, DomainErrorKind>;

export type RefusalCode = keyof typeof REFUSALS;

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly kind: DomainErrorKind;
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.kind = REFUSALS[code];
  }
}

/** A refusal: the code says which (and, through the table, what kind); the message says why. */
export const refuse = (code: RefusalCode, message: string) => new DomainError(code, message);
