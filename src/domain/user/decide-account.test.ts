import { describe, it } from 'vitest';
import { deciderSpec } from '../decider-spec.js';
import { MAX_RESET_FAILURES } from './decide-account.js';
import {
  userDecider,
  type PasswordResetFailed,
  type PasswordResetIssued,
  type UserRegistered,
} from './user.js';

const spec = deciderSpec(userDecider);
const at = (hour: number) => `2026-01-01T${String(hour).padStart(2, '0')}:00:00.000Z`;
const registered: UserRegistered = {
  type: 'UserRegistered',
  data: {
    userId: 'u1',
    username: 'alice',
    email: 'alice@example.com',
    displayName: 'Alice',
    passwordHash: '$2b$old',
    messagePolicy: 'everyone',
    registeredAt: at(0),
  },
};
const issued: PasswordResetIssued = {
  type: 'PasswordResetIssued',
  data: { userId: 'u1', codeDigest: 'code-1', issuedAt: at(1), expiresAt: at(2) },
};
const reset = (now: string, codeDigest = 'code-1') => ({
  type: 'ResetPassword' as const,
  codeDigest,
  passwordHash: '$2b$new',
  now,
});

describe('password reset', () => {
  it('sets the password with a pending code', () => {
    spec
      .given([registered, issued])
      .when(reset(at(1)))
      .then([
        {
          type: 'PasswordChanged',
          data: {
            userId: 'u1',
            passwordHash: '$2b$new',
            reason: 'reset',
            codeDigest: 'code-1',
            changedAt: at(1),
          },
        },
      ]);
  });

  it('refuses an expired code', () => {
    spec
      .given([registered, issued])
      .when(reset(at(2)))
      .thenRefused('invalid', 'reset_code_invalid');
  });

  it('takes a code used once already for a wrong one', () => {
    const used = userDecider.decide(
      reset(at(1)),
      [registered, issued].reduce(userDecider.evolve, userDecider.initialState()),
    );
    spec
      .given([registered, issued, ...(used as never[])])
      .when(reset(at(1)))
      .then([{ type: 'PasswordResetFailed', data: { userId: 'u1', attempt: 1, failedAt: at(1) } }]);
  });

  it('records a wrong code, and voids the codes after too many', () => {
    spec
      .given([registered, issued])
      .when(reset(at(1), 'wrong'))
      .then([{ type: 'PasswordResetFailed', data: { userId: 'u1', attempt: 1, failedAt: at(1) } }]);
    const failed: PasswordResetFailed = {
      type: 'PasswordResetFailed',
      data: { userId: 'u1', attempt: MAX_RESET_FAILURES, failedAt: at(1) },
    };
    spec
      .given([registered, issued, failed])
      .when(reset(at(1)))
      .thenRefused('invalid', 'reset_code_invalid');
  });

  it('erases a user once, and refuses everything after', () => {
    spec
      .given([registered])
      .when({ type: 'EraseUser', now: at(3) })
      .then([{ type: 'UserErased', data: { userId: 'u1', username: 'alice', erasedAt: at(3) } }]);
    const erased = {
      type: 'UserErased' as const,
      data: { userId: 'u1', username: 'alice', erasedAt: at(3) },
    };
    spec
      .given([registered, erased])
      .when({ type: 'EraseUser', now: at(4) })
      .thenNothing();
    spec
      .given([registered, erased])
      .when({ type: 'ChangeProfile', displayName: 'Eve', now: at(4) })
      .thenRefused('not_found', 'user_not_found');
  });
});
