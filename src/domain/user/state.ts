import type { MessagePolicy } from './events.js';

/* The user aggregate's state and the codes it keeps, apart so that both deciders can read them. */

/** A code the caller generated (time and randomness stay out of the domain): its digest and expiry. */
export interface VerificationCode {
  readonly codeDigest: string;
  readonly expiresAt: string;
}

export interface PendingVerification {
  readonly codeDigest: string;
  readonly expiresAt: string;
}

export type UserState =
  | { readonly status: 'unregistered' }
  | {
      readonly status: 'registered';
      readonly userId: string;
      readonly username: string;
      readonly email: string;
      readonly displayName: string;
      readonly passwordHash: string;
      readonly registeredAt: string;
      readonly emailVerified: boolean;
      /** The latest codes issued while the email was unverified, oldest first; empty once verified. */
      readonly pendingVerifications: readonly PendingVerification[];
      /** Wrong codes presented so far (for the record; guessing is limited per address over time). */
      readonly failedVerifications: number;
      /** Digest of the code that verified the email. */
      readonly verifiedWith: string | null;
      readonly messagePolicy: MessagePolicy;
      /** Password-reset codes mailed since the last change, oldest first. */
      readonly pendingResets: readonly PendingVerification[];
      /** Wrong reset codes since the latest one was mailed. */
      readonly failedResets: number;
      /** Sessions started before this (the last password change) are refused, but `keptSessionId`. */
      readonly sessionsValidFrom: string | null;
      readonly keptSessionId: string | null;
    }
  | {
      /** Erased: nothing personal is left; the id and username stay, so the username stays taken. */
      readonly status: 'erased';
      readonly userId: string;
      readonly username: string;
      readonly erasedAt: string;
    };
