import { assertNever } from '../decider.js';
import { refuse } from '../errors.js';
import type { UserEvent } from './events.js';
import type { UserState, VerificationCode } from './state.js';

export type ChangePassword = {
  readonly type: 'ChangePassword';
  /** Hash of the new password; the caller has checked the current one. */
  readonly passwordHash: string;
  /** The caller's session, which stays; every other one ends. */
  readonly keptSessionId?: string;
  readonly now: string;
};
export type IssuePasswordReset = {
  readonly type: 'IssuePasswordReset';
  readonly reset: VerificationCode;
  readonly now: string;
};
export type ResetPassword = {
  readonly type: 'ResetPassword';
  /** Digest of the code the user presented. */
  readonly codeDigest: string;
  readonly passwordHash: string;
  readonly now: string;
};
export type EraseUser = { readonly type: 'EraseUser'; readonly now: string };
export type AccountCommand = ChangePassword | IssuePasswordReset | ResetPassword | EraseUser;

/** Wrong reset codes after which every outstanding code is void (the user asks for a new one). */
export const MAX_RESET_FAILURES = 5;

const wrongResetCode = () => refuse('reset_code_invalid', 'the password-reset code is wrong or has expired');

/** Password changes, password resets and erasure of a user. */
export function decideAccountCommand(command: AccountCommand, state: UserState): UserEvent[] {
  switch (command.type) {
    case 'EraseUser':
      if (state.status === 'erased') return [];
      if (state.status !== 'registered') throw refuse('user_not_found', 'no such user');
      return [
        {
          type: 'UserErased',
          data: { userId: state.userId, username: state.username, erasedAt: command.now },
        },
      ];
    case 'ChangePassword':
      if (state.status !== 'registered') throw refuse('user_not_found', 'no such user');
      return [
        {
          type: 'PasswordChanged',
          data: {
            userId: state.userId,
            passwordHash: command.passwordHash,
            reason: 'change',
            ...(command.keptSessionId !== undefined ? { keptSessionId: command.keptSessionId } : {}),
            changedAt: command.now,
          },
        },
      ];
    case 'IssuePasswordReset':
      if (state.status !== 'registered') return [];
      return [
        {
          type: 'PasswordResetIssued',
          data: { userId: state.userId, ...command.reset, issuedAt: command.now },
        },
      ];
    case 'ResetPassword': {
      if (state.status !== 'registered') throw wrongResetCode();
      const pending = state.pendingResets.find((code) => code.codeDigest === command.codeDigest);
      if (pending && state.failedResets < MAX_RESET_FAILURES && command.now < pending.expiresAt) {
        return [
          {
            type: 'PasswordChanged',
            data: {
              userId: state.userId,
              passwordHash: command.passwordHash,
              reason: 'reset',
              codeDigest: command.codeDigest,
              changedAt: command.now,
            },
          },
        ];
      }
      if (pending) throw wrongResetCode();
      return [
        {
          type: 'PasswordResetFailed',
          data: { userId: state.userId, attempt: state.failedResets + 1, failedAt: command.now },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}
