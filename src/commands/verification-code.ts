import { createHmac, randomInt } from 'node:crypto';
import type { VerificationCode } from '../domain/user/user.js';
import type { Logger } from '../platform/logger.js';
import type { Mailer } from '../platform/mailer.js';

/**
 * Email verification codes: six random digits made here (the domain gets no randomness), of which
 * only an HMAC keyed with a server secret reaches the log: a million codes are quick to try
 * against a plain hash, but not without the key. The code itself lives only in the mail.
 */
export const verificationCodeDigest = (key: string | Buffer, userId: string, code: string) =>
  createHmac('sha256', key).update(`${userId}:${code}`).digest('base64url');

export function newVerificationCode(
  key: string | Buffer,
  userId: string,
  now: Date,
  ttlSeconds: number,
): { code: string; verification: VerificationCode } {
  const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
  return {
    code,
    verification: {
      codeDigest: verificationCodeDigest(key, userId, code),
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
    },
  };
}

export interface VerificationMailDeps {
  /** Keys the digests of verification codes; derived from the server secret. */
  readonly verificationKey: string | Buffer;
  readonly mailer: Mailer;
  readonly logger: Logger;
  readonly emailVerificationTtlSeconds: number;
}

function lifetime(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/**
 * Sends the code without waiting: called after the events are stored, it never fails the request.
 * A mail that cannot be sent is logged (without the code); the user can ask for another one.
 */
export function sendVerificationMail(
  deps: VerificationMailDeps,
  mail: { to: string; username: string; code: string; correlationId: string | undefined },
): void {
  const text = [
    `Hello ${mail.username},`,
    '',
    `Your verification code is ${mail.code}`,
    '',
    `It expires in ${lifetime(deps.emailVerificationTtlSeconds)}. If it has expired, ask for a new one.`,
    'If you did not sign up, ignore this mail.',
  ].join('\n');
  deps.mailer
    .send({ to: mail.to, subject: 'Your verification code', text })
    .catch((error: unknown) =>
      deps.logger.error(
        { err: error, to: mail.to, correlationId: mail.correlationId },
        'verification mail not sent; the user can ask for a new code',
      ),
    );
}
