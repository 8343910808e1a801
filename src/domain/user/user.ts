// Long because the user aggregate has many commands (registration, verification, profile, password, erasure); each case is short.
import { assertNever, typeGuard, type Decider } from '../decider.js';
import { refuse } from '../errors.js';
import { decideAccountCommand, type AccountCommand } from './decide-account.js';
import type { UserEvent, MessagePolicy } from './events.js';
import type { UserState, VerificationCode } from './state.js';
export type { PendingVerification, UserState, VerificationCode } from './state.js';
export type { ChangePassword, IssuePasswordReset, ResetPassword, EraseUser } from './decide-account.js';
export type {
  UserRegistered,
  EmailVerificationIssued,
  EmailVerificationFailed,
  EmailVerified,
  ProfileChanged,
  PasswordChanged,
  PasswordResetIssued,
  PasswordResetFailed,
  UserErased,
  UserEvent,
  MessagePolicy,
} from './events.js';

export type RegisterUser = {
  readonly type: 'RegisterUser';
  readonly userId: string;
  readonly username: string;
  readonly email: string;
  readonly displayName: string;
  readonly passwordHash: string;
  /** The first email verification code, issued with the registration. */
  readonly verification: VerificationCode;
  readonly now: string;
};
export type IssueEmailVerification = {
  readonly type: 'IssueEmailVerification';
  readonly verification: VerificationCode;
  readonly now: string;
};
export type VerifyEmail = {
  readonly type: 'VerifyEmail';
  /** Digest of the code the user presented. */
  readonly codeDigest: string;
  readonly now: string;
};
export type ChangeProfile = {
  readonly type: 'ChangeProfile';
  readonly displayName?: string;
  readonly messagePolicy?: MessagePolicy;
  readonly now: string;
};
export type UserCommand =
  RegisterUser | IssueEmailVerification | VerifyEmail | ChangeProfile | AccountCommand;

/**
 * Codes mailed and not yet used that still count: a new one does not cancel those already in a
 * mailbox (else whoever can ask for mail could keep the owner from ever verifying).
 */
export const MAX_PENDING_VERIFICATIONS = 5;

export const userStreamName = (userId: string) => `user-${userId}`;

const wrongCode = () => refuse('verification_code_invalid', 'the verification code is wrong');

function decideVerification(command: VerifyEmail, state: UserState): UserEvent[] {
  if (state.status !== 'registered') throw wrongCode();
  if (state.emailVerified) {
    if (command.codeDigest === state.verifiedWith) return [];
    throw wrongCode();
  }
  const pending = state.pendingVerifications.find((code) => code.codeDigest === command.codeDigest);
  if (pending && command.now >= pending.expiresAt) {
    throw refuse('verification_code_expired', 'the verification code has expired; ask for a new one');
  }
  if (!pending) {
    return [
      {
        type: 'EmailVerificationFailed',
        data: {
          userId: state.userId,
          email: state.email,
          attempt: state.failedVerifications + 1,
          failedAt: command.now,
        },
      },
    ];
  }
  return [
    {
      type: 'EmailVerified',
      data: {
        userId: state.userId,
        email: state.email,
        codeDigest: command.codeDigest,
        verifiedAt: command.now,
      },
    },
  ];
}

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: () => ({ status: 'unregistered' }),
  isEvent: typeGuard<UserEvent>([
    'UserRegistered',
    'EmailVerificationIssued',
    'EmailVerificationFailed',
    'EmailVerified',
    'ProfileChanged',
    'PasswordChanged',
    'PasswordResetIssued',
    'PasswordResetFailed',
    'UserErased',
  ]),
  evolve(state, event) {
    switch (event.type) {
      case 'UserRegistered':
        return {
          status: 'registered',
          ...event.data,
          emailVerified: false,
          pendingVerifications: [],
          failedVerifications: 0,
          verifiedWith: null,
          pendingResets: [],
          failedResets: 0,
          sessionsValidFrom: null,
          keptSessionId: null,
        };
      case 'EmailVerificationIssued':
        if (state.status !== 'registered') return state;
        return {
          ...state,
          pendingVerifications: [
            ...state.pendingVerifications,
            { codeDigest: event.data.codeDigest, expiresAt: event.data.expiresAt },
          ].slice(-MAX_PENDING_VERIFICATIONS),
        };
      case 'EmailVerificationFailed':
        if (state.status !== 'registered') return state;
        return { ...state, failedVerifications: event.data.attempt };
      case 'EmailVerified':
        if (state.status !== 'registered') return state;
        return {
          ...state,
          emailVerified: true,
          pendingVerifications: [],
          verifiedWith: event.data.codeDigest,
        };
      case 'ProfileChanged':
        if (state.status !== 'registered') return state;
        return {
          ...state,
          ...(event.data.displayName !== undefined ? { displayName: event.data.displayName } : {}),
          ...(event.data.messagePolicy !== undefined ? { messagePolicy: event.data.messagePolicy } : {}),
        };
      case 'PasswordChanged':
        if (state.status !== 'registered') return state;
        return {
          ...state,
          passwordHash: event.data.passwordHash,
          pendingResets: [],
          failedResets: 0,
          sessionsValidFrom: event.data.changedAt,
          keptSessionId: event.data.keptSessionId ?? null,
        };
      case 'PasswordResetIssued':
        if (state.status !== 'registered') return state;
        return {
          ...state,
          pendingResets: [
            ...state.pendingResets,
            { codeDigest: event.data.codeDigest, expiresAt: event.data.expiresAt },
          ].slice(-MAX_PENDING_VERIFICATIONS),
          failedResets: 0,
        };
      case 'PasswordResetFailed':
        if (state.status !== 'registered') return state;
        return { ...state, failedResets: event.data.attempt };
      case 'UserErased':
        return {
          status: 'erased',
          userId: event.data.userId,
          username: event.data.username,
          erasedAt: event.data.erasedAt,
        };
      default:
        return assertNever(event);
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'RegisterUser': {
        if (state.status !== 'unregistered') throw refuse('user_exists', 'this user is already registered');
        const email = command.email.trim().toLowerCase();
        return [
          {
            type: 'UserRegistered',
            data: {
              userId: command.userId,
              username: command.username.toLowerCase(),
              email,
              displayName: command.displayName.trim() || command.username,
              passwordHash: command.passwordHash,
              messagePolicy: 'everyone',
              registeredAt: command.now,
            },
          },
          {
            type: 'EmailVerificationIssued',
            data: { userId: command.userId, email, ...command.verification, issuedAt: command.now },
          },
        ];
      }
      case 'IssueEmailVerification':
        if (state.status !== 'registered') throw refuse('user_not_found', 'no such user');
        if (state.emailVerified) return [];
        return [
          {
            type: 'EmailVerificationIssued',
            data: {
              userId: state.userId,
              email: state.email,
              ...command.verification,
              issuedAt: command.now,
            },
          },
        ];
      case 'VerifyEmail':
        return decideVerification(command, state);
      case 'ChangeProfile': {
        if (state.status !== 'registered') throw refuse('user_not_found', 'no such user');
        const displayName = command.displayName?.trim();
        if (displayName !== undefined && (displayName.length === 0 || displayName.length > 100)) {
          throw refuse('invalid_display_name', 'a display name must be 1 to 100 characters after trimming');
        }
        const changes = {
          ...(displayName !== undefined && displayName !== state.displayName ? { displayName } : {}),
          ...(command.messagePolicy !== undefined && command.messagePolicy !== state.messagePolicy
            ? { messagePolicy: command.messagePolicy }
            : {}),
        };
        if (Object.keys(changes).length === 0) return [];
        return [
          { type: 'ProfileChanged', data: { userId: state.userId, ...changes, changedAt: command.now } },
        ];
      }
      case 'ChangePassword':
      case 'IssuePasswordReset':
      case 'ResetPassword':
      case 'EraseUser':
        return decideAccountCommand(command, state);
      default:
        return assertNever(command);
    }
  },
};
