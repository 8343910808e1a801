import { refuse } from '../domain/errors.js';
import { normaliseReservationValue } from '../domain/reservation/reservation.js';
import type { EventMetadata } from '../eventstore/port.js';
import { tooManyRequests, unauthorized } from '../http/problems.js';
import type { RateRule } from '../platform/rate-limiter.js';
import { findUserBy, loadUser, type AccountDeps } from './accounts.js';
import { users } from './aggregates.js';
import type { EmailVerificationDeps } from './email-verification.js';
import { newVerificationCode, verificationCodeDigest } from './verification-code.js';

export interface PasswordDeps extends EmailVerificationDeps {
  readonly passwordResetTtlSeconds: number;
}

/** Wrong current passwords one account may present per window (a stolen access token must not brute-force it). */
const CURRENT_PASSWORD_GUESSES: RateRule = { limit: 5, windowSeconds: 900 };
/** Reset codes mailed per address, and reset requests per client address. */
const RESETS_PER_EMAIL: RateRule = { limit: 5, windowSeconds: 3600 };
const RESETS_PER_IP: RateRule = { limit: 30, windowSeconds: 3600 };
/** Wrong reset codes per address, registered or not, per window. */
export const RESET_GUESSES: RateRule = { limit: 5, windowSeconds: 900 };

/** Reset codes are keyed apart from verification codes: one can never stand for the other. */
const resetDigest = (deps: PasswordDeps, userId: string, code: string) =>
  verificationCodeDigest(deps.verificationKey, `password-reset:${userId}`, code);

/** Checks a password of the user, a bounded number of wrong ones per window; 401 when wrong. */
export async function checkPassword(
  deps: AccountDeps & EmailVerificationDeps,
  userId: string,
  password: string,
) {
  const user = await loadUser(deps, userId);
  if (!user) throw unauthorized('the bearer token belongs to no user');
  const key = `password-check:${userId}`;
  const guess = await deps.limiter.hit(key, CURRENT_PASSWORD_GUESSES);
  if (!guess.allowed) throw tooManyRequests('too many wrong passwords; retry later', guess.retryAfterSeconds);
  if (!(await deps.passwords.verify(password, user.passwordHash))) throw unauthorized('wrong password');
  await deps.limiter.reset([key]);
  return user;
}

/** POST /v1/me/password: every session but the caller's ends. */
export async function changePassword(
  deps: PasswordDeps,
  input: { userId: string; sessionId: string | undefined; currentPassword: string; newPassword: string },
  metadata: EventMetadata,
): Promise<bigint | undefined> {
  await checkPassword(deps, input.userId, input.currentPassword);
  const passwordHash = await deps.passwords.hash(input.newPassword);
  const outcome = await users.handle(
    deps,
    input.userId,
    {
      type: 'ChangePassword',
      passwordHash,
      ...(input.sessionId !== undefined ? { keptSessionId: input.sessionId } : {}),
      now: deps.now().toISOString(),
    },
    { metadata },
  );
  return outcome.position;
}

/**
 * POST /v1/auth/password-reset: mails a code when the address belongs to a user, and answers
 * alike whether or not it does.
 */
export async function requestPasswordReset(
  deps: PasswordDeps,
  input: { email: string; clientIp: string },
  metadata: EventMetadata,
): Promise<void> {
  const byIp = await deps.limiter.hit(`reset-ip:${input.clientIp}`, RESETS_PER_IP);
  if (!byIp.allowed)
    throw tooManyRequests('too many password resets asked for; retry later', byIp.retryAfterSeconds);
  const email = normaliseReservationValue(input.email);
  const byEmail = await deps.limiter.hit(`reset-email:${email}`, RESETS_PER_EMAIL);
  if (!byEmail.allowed) return;
  const user = await findUserBy(deps, 'email', email);
  if (!user) return;
  const now = deps.now();
  const { code, verification } = newVerificationCode(
    deps.verificationKey,
    `password-reset:${user.userId}`,
    now,
    deps.passwordResetTtlSeconds,
  );
  const outcome = await users.handle(
    deps,
    user.userId,
    { type: 'IssuePasswordReset', reset: verification, now: now.toISOString() },
    { metadata: { ...metadata, userId: user.userId } },
  );
  if (outcome.appended.length === 0) return;
  const minutes = Math.round(deps.passwordResetTtlSeconds / 60);
  const text = [
    `Hello ${user.username},`,
    '',
    `Your password-reset code is ${code}`,
    '',
    `It expires in ${minutes} minute${minutes === 1 ? '' : 's'} and works once.`,
    'If you did not ask for it, ignore this mail: your password stays as it is.',
  ].join('\n');
  deps.mailer
    .send({ to: user.email, subject: 'Your password-reset code', text })
    .catch((error: unknown) =>
      deps.logger.error(
        { err: error, correlationId: metadata.correlationId },
        'password-reset mail not sent; the user can ask for a new code',
      ),
    );
}

const wrongCode = () => refuse('reset_code_invalid', 'the password-reset code is wrong or has expired');

/** POST /v1/auth/password-reset/confirm: a valid code sets the password and ends every session. */
export async function confirmPasswordReset(
  deps: PasswordDeps,
  input: { email: string; code: string; newPassword: string },
  metadata: EventMetadata,
): Promise<bigint | undefined> {
  const guessKey = `reset-guess:${normaliseReservationValue(input.email)}`;
  const guess = await deps.limiter.hit(guessKey, RESET_GUESSES);
  if (!guess.allowed) {
    throw refuse(
      'reset_attempts_exhausted',
      `too many wrong codes for this address; try again in ${Math.ceil(guess.retryAfterSeconds / 60)} minutes`,
    );
  }
  const user = await findUserBy(deps, 'email', input.email);
  if (!user || user.pendingResets.length === 0) throw wrongCode();
  const passwordHash = await deps.passwords.hash(input.newPassword);
  const outcome = await users.handle(
    deps,
    user.userId,
    {
      type: 'ResetPassword',
      codeDigest: resetDigest(deps, user.userId, input.code),
      passwordHash,
      now: deps.now().toISOString(),
    },
    { metadata: { ...metadata, userId: user.userId } },
  );
  if (!outcome.appended.some((event) => event.type === 'PasswordChanged')) throw wrongCode();
  await deps.limiter.reset([guessKey]);
  return outcome.position;
}
