import { describe, it } from 'vitest';
import { deciderSpec } from '../../../test/support/decider-spec.js';
import { userDecider, type UserRegistered } from './user.js';

const spec = deciderSpec(userDecider);
const register = {
  type: 'RegisterUser' as const,
  userId: 'u1',
  username: 'Alice',
  email: ' Alice@Example.com ',
  displayName: '',
  passwordHash: '$2b$hash',
  now: '2026-01-01T00:00:00.000Z',
};
const registered: UserRegistered = {
  type: 'UserRegistered',
  data: {
    userId: 'u1',
    username: 'alice',
    email: 'alice@example.com',
    displayName: 'Alice',
    passwordHash: '$2b$hash',
    registeredAt: '2026-01-01T00:00:00.000Z',
  },
};

describe('user', () => {
  it('registers with normalised username and email, display name defaulting to the username', () => {
    spec.given([]).when(register).then([registered]);
  });
  it('refuses to register the same user twice', () => {
    spec.given([registered]).when(register).thenRefused('conflict', 'user_exists');
  });
});
