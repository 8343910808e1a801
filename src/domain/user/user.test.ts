import { describe, it } from 'vitest';
import { deciderSpec } from '../decider-spec.js';
import {
  MAX_PENDING_VERIFICATIONS,
  userDecider,
  type EmailVerificationFailed,
  type EmailVerificationIssued,
  type EmailVerified,
  type UserRegistered,
} from './user.js';

const spec = deciderSpec(userDecider);
const registeredAt = '2026-01-01T00:00:00.000Z';
const expiresAt = '2026-01-02T00:00:00.000Z';
const later = '2026-01-01T01:00:00.000Z';
const tooLate = '2026-01-02T00:00:00.000Z';

const register = {
  type: 'RegisterUser' as const,
  userId: 'u1',
  username: 'Alice',
  email: ' Alice@Example.com ',
  displayName: '',
  passwordHash: '$2b$hash',
  verification: { codeDigest: 'digest-1', expiresAt },
  now: registeredAt,
};
const registered: UserRegistered = {
  type: 'UserRegistered',
  data: {
    userId: 'u1',
    username: 'alice',
    email: 'alice@example.com',
    displayName: 'Alice',
    passwordHash: '$2b$hash',
    messagePolicy: 'everyone',
    registeredAt,
  },
};
const issued = (
  codeDigest = 'digest-1',
  issuedAt = registeredAt,
  expires = expiresAt,
): EmailVerificationIssued => ({
  type: 'EmailVerificationIssued',
  data: { userId: 'u1', email: 'alice@example.com', codeDigest, issuedAt, expiresAt: expires },
});
const failed = (attempt: number): EmailVerificationFailed => ({
  type: 'EmailVerificationFailed',
  data: { userId: 'u1', email: 'alice@example.com', attempt, failedAt: later },
});
const verified = (codeDigest = 'digest-1'): EmailVerified => ({
  type: 'EmailVerified',
  data: { userId: 'u1', email: 'alice@example.com', codeDigest, verifiedAt: later },
});
const verify = (codeDigest: string, now = later) => ({ type: 'VerifyEmail' as const, codeDigest, now });
const issue = (codeDigest: string) => ({
  type: 'IssueEmailVerification' as const,
  verification: { codeDigest, expiresAt: '2026-01-03T00:00:00.000Z' },
  now: later,
});

describe('user: registration', () => {
  it('registers with normalised username and email, display name defaulting to the username, and issues a code', () => {
    spec.given([]).when(register).then([registered, issued()]);
  });
  it('refuses to register the same user twice', () => {
    spec.given([registered, issued()]).when(register).thenRefused('conflict', 'user_exists');
  });
});

describe('user: email verification', () => {
  it('verifies with the right code before it expires', () => {
    spec.given([registered, issued()]).when(verify('digest-1')).then([verified()]);
  });
  it('counts a wrong code as a failed attempt', () => {
    spec
      .given([registered, issued(), failed(1)])
      .when(verify('wrong'))
      .then([failed(2)]);
  });
  it('refuses the right code once it has expired', () => {
    spec
      .given([registered, issued()])
      .when(verify('digest-1', tooLate))
      .thenRefused('invalid', 'verification_code_expired');
  });
  it('keeps the codes already mailed working when a new one is issued, wrong tries or not', () => {
    const history = [
      registered,
      issued(),
      failed(1),
      failed(2),
      issued('digest-2', later, '2026-01-03T00:00:00.000Z'),
    ];
    spec
      .given(history)
      .when(verify('digest-1'))
      .then([verified('digest-1')]);
    spec
      .given(history)
      .when(verify('digest-2'))
      .then([verified('digest-2')]);
    spec
      .given(history)
      .when(verify('wrong'))
      .then([failed(3)]);
  });
  it(`keeps the latest ${MAX_PENDING_VERIFICATIONS} codes only`, () => {
    const reissued = Array.from({ length: MAX_PENDING_VERIFICATIONS }, (_, i) =>
      issued(`digest-${i + 2}`, later, '2026-01-03T00:00:00.000Z'),
    );
    spec
      .given([registered, issued(), ...reissued])
      .when(verify('digest-1'))
      .then([failed(1)]);
    spec
      .given([registered, issued(), ...reissued])
      .when(verify(`digest-${MAX_PENDING_VERIFICATIONS + 1}`))
      .then([verified(`digest-${MAX_PENDING_VERIFICATIONS + 1}`)]);
  });
  it('answers a second verification with the same code with nothing new (idempotent)', () => {
    spec.given([registered, issued(), verified()]).when(verify('digest-1', tooLate)).thenNothing();
  });
  it('refuses another code once verified', () => {
    spec
      .given([registered, issued(), verified()])
      .when(verify('other'))
      .thenRefused('invalid', 'verification_code_invalid');
  });
  it('refuses to verify a user that does not exist', () => {
    spec.given([]).when(verify('digest-1')).thenRefused('invalid', 'verification_code_invalid');
  });
});

describe('user: issuing a new code', () => {
  it('issues a new code that replaces the outstanding one', () => {
    spec
      .given([registered, issued(), failed(1)])
      .when(issue('digest-2'))
      .then([issued('digest-2', later, '2026-01-03T00:00:00.000Z')]);
  });
  it('issues nothing once the email is verified', () => {
    spec.given([registered, issued(), verified()]).when(issue('digest-2')).thenNothing();
  });
  it('refuses for a user that does not exist', () => {
    spec.given([]).when(issue('digest-2')).thenRefused('not_found', 'user_not_found');
  });
});

describe('user: profile', () => {
  const change = (extra: object) => ({ type: 'ChangeProfile' as const, now: later, ...extra });
  it('records a new display name and message policy, and nothing when nothing changes', () => {
    spec
      .given([registered])
      .when(change({ displayName: ' Ally ', messagePolicy: 'contacts' }))
      .then([
        {
          type: 'ProfileChanged',
          data: { userId: 'u1', displayName: 'Ally', messagePolicy: 'contacts', changedAt: later },
        },
      ]);
    spec
      .given([registered])
      .when(change({ displayName: 'Alice', messagePolicy: 'everyone' }))
      .thenNothing();
    spec
      .given([registered])
      .when(change({ displayName: '  ' }))
      .thenRefused('invalid', 'invalid_display_name');
  });
});
