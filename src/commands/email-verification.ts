import { refuse } from '../domain/errors.js';
import { normaliseReservationValue } from '../domain/reservation/reservation.js';
import type { EventMetadata } from '../eventstore/port.js';
import { tooManyRequests } from '../http/problems.js';
import type { RateLimiter, RateRule } from '../platform/rate-limiter.js';
import { findUserBy, type AccountDeps } from './accounts.js';
import { users } from './aggregates.js';
import { newVerificationCode, sendVerificationMail, verificationCodeDigest } from './verification-code.js';

export interface EmailVerificationDeps extends AccountDeps {
  readonly limiter: RateLimiter;
}

/** New codes mailed to one address; past it, requests are accepted and silently dropped. */
const RESEND_PER_EMAIL: RateRule = { limit: 5, windowSeconds: 3600 };
/** Requests from one client IP, whatever the address; past it, 429. */
const RESEND_PER_IP: RateRule = { limit: 30, windowSeconds: 3600 };
/**
 * Wrong codes tried for one address per window, counted alike whether or not the address is
 * registered. Past it every try is refused until the window ends; no code is killed, so a
 * stranger guessing wrong delays the owner by at most the window, never for good.
 */
export const VERIFICATION_GUESSES: RateRule = { limit: 5, windowSeconds: 900 };

const wrongCode = () => refuse('verification_code_invalid', 'the verification code is wrong');

/**
 * Checks a code against the user's outstanding one. A wrong code is stored as a failed attempt
 * (the domain kills the code after a few) and answered 400; an unknown email gets the same 400.
 */
export async function verifyEmail(
  deps: EmailVerificationDeps,
  input: { email: string; code: string },
  metadata: EventMetadata,
): Promise<{ userId: string; position: bigint | undefined }> {
  const guessKey = `verify-email:${normaliseReservationValue(input.email)}`;
  const guess = await deps.limiter.hit(guessKey, VERIFICATION_GUESSES);
  if (!guess.allowed) {
    throw refuse(
      'verification_attempts_exhausted',
      `too many wrong codes for this address; try again in ${Math.ceil(guess.retryAfterSeconds / 60)} minutes`,
    );
  }
  const user = await findUserBy(deps, 'email', input.email);
  if (!user) throw wrongCode();
  const outcome = await users.handle(
    deps,
    user.userId,
    {
      type: 'VerifyEmail',
      codeDigest: verificationCodeDigest(deps.verificationKey, user.userId, input.code),
      now: deps.now().toISOString(),
    },
    { metadata: { ...metadata, userId: user.userId } },
  );
  if (outcome.appended.some((event) => event.type === 'EmailVerificationFailed')) throw wrongCode();
  await deps.limiter.reset([guessKey]);
  return { userId: user.userId, position: outcome.position };
}

/**
 * Mails a new code when the address belongs to a user whose email is not verified yet. It answers
 * alike whether or not it did, so that it never tells whether an address is registered.
 */
export async function resendVerification(
  deps: EmailVerificationDeps,
  input: { email: string; clientIp: string },
  metadata: EventMetadata,
): Promise<void> {
  const byIp = await deps.limiter.hit(`resend-ip:${input.clientIp}`, RESEND_PER_IP);
  if (!byIp.allowed) {
    throw tooManyRequests('too many verification mails asked for; retry later', byIp.retryAfterSeconds);
  }
  const email = normaliseReservationValue(input.email);
  const byEmail = await deps.limiter.hit(`resend-email:${email}`, RESEND_PER_EMAIL);
  if (!byEmail.allowed) {
    deps.logger.info(
      { correlationId: metadata.correlationId },
      'verification mail not sent: too many asked for this address',
    );
    return;
  }
  const user = await findUserBy(deps, 'email', email);
  if (!user || user.emailVerified) return;
  const now = deps.now();
  const { code, verification } = newVerificationCode(
    deps.verificationKey,
    user.userId,
    now,
    deps.emailVerificationTtlSeconds,
  );
  const outcome = await users.handle(
    deps,
    user.userId,
    { type: 'IssueEmailVerification', verification, now: now.toISOString() },
    { metadata: { ...metadata, userId: user.userId } },
  );
  if (outcome.appended.length === 0) return;
  sendVerificationMail(deps, {
    to: user.email,
    username: user.username,
    code,
    correlationId: metadata.correlationId,
  });
}
