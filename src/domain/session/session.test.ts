import { describe, it } from 'vitest';
import { deciderSpec } from '../decider-spec.js';
import {
  sessionDecider,
  type SessionRefreshed,
  type SessionRevoked,
  type SessionStarted,
} from './session.js';

const spec = deciderSpec(sessionDecider);
const startedAt = '2026-01-01T00:00:00.000Z';
const refreshedAt = '2026-01-02T00:00:00.000Z';
const firstExpiry = '2026-01-31T00:00:00.000Z';
const secondExpiry = '2026-02-01T00:00:00.000Z';

const started: SessionStarted = {
  type: 'SessionStarted',
  data: { sessionId: 's1', userId: 'u1', tokenDigest: 'd1', startedAt, expiresAt: firstExpiry },
};
const refreshed: SessionRefreshed = {
  type: 'SessionRefreshed',
  data: {
    sessionId: 's1',
    userId: 'u1',
    previousDigest: 'd1',
    tokenDigest: 'd2',
    refreshedAt,
    expiresAt: secondExpiry,
  },
};
const revoked = (reason: SessionRevoked['data']['reason'], revokedAt = refreshedAt): SessionRevoked => ({
  type: 'SessionRevoked',
  data: { sessionId: 's1', userId: 'u1', reason, revokedAt },
});
const refresh = (presentedDigest: string, now = refreshedAt, newDigest = 'd2') => ({
  type: 'RefreshSession' as const,
  presentedDigest,
  newDigest,
  now,
  expiresAt: secondExpiry,
  retryGraceMs: 10_000,
});
const revoke = (presentedDigest: string) => ({
  type: 'RevokeSession' as const,
  presentedDigest,
  now: refreshedAt,
});

describe('session: start', () => {
  it('starts a session with the digest of its first refresh token', () => {
    spec
      .given([])
      .when({
        type: 'StartSession',
        sessionId: 's1',
        userId: 'u1',
        tokenDigest: 'd1',
        now: startedAt,
        expiresAt: firstExpiry,
      })
      .then([started]);
  });
  it('refuses to start the same session twice', () => {
    spec
      .given([started])
      .when({
        type: 'StartSession',
        sessionId: 's1',
        userId: 'u1',
        tokenDigest: 'd9',
        now: startedAt,
        expiresAt: firstExpiry,
      })
      .thenRefused('conflict', 'session_exists');
  });
});

describe('session: refresh', () => {
  it('rotates the current token', () => {
    spec.given([started]).when(refresh('d1')).then([refreshed]);
  });
  it('rotates again from the newest token', () => {
    spec
      .given([started, refreshed])
      .when(refresh('d2', '2026-01-03T00:00:00.000Z', 'd3'))
      .then([
        {
          type: 'SessionRefreshed',
          data: {
            sessionId: 's1',
            userId: 'u1',
            previousDigest: 'd2',
            tokenDigest: 'd3',
            refreshedAt: '2026-01-03T00:00:00.000Z',
            expiresAt: secondExpiry,
          },
        },
      ]);
  });
  it('refuses an expired refresh token', () => {
    spec.given([started]).when(refresh('d1', firstExpiry)).thenRefused('conflict', 'invalid_refresh_token');
  });
  it('refuses a token it never issued', () => {
    spec.given([started]).when(refresh('unknown')).thenRefused('conflict', 'invalid_refresh_token');
  });
  it('refuses a session that never started', () => {
    spec.given([]).when(refresh('d1')).thenRefused('conflict', 'invalid_refresh_token');
  });
  it('revokes the whole family when a rotated-away token is presented again', () => {
    const aMinuteLater = '2026-01-02T00:01:00.000Z';
    spec
      .given([started, refreshed])
      .when(refresh('d1', aMinuteLater))
      .then([revoked('token_reuse', aMinuteLater)]);
  });
  it('takes the same refresh again within the grace as a retry, and nothing else', () => {
    const moments = '2026-01-02T00:00:05.000Z';
    spec.given([started, refreshed]).when(refresh('d1', moments)).thenNothing();
    // A token asking for another successor is not a retry of this rotation.
    spec
      .given([started, refreshed])
      .when(refresh('d1', moments, 'd9'))
      .then([revoked('token_reuse', moments)]);
  });
  it('refuses every token of a revoked family, the newest included', () => {
    spec
      .given([started, refreshed, revoked('token_reuse')])
      .when(refresh('d2'))
      .thenRefused('conflict', 'invalid_refresh_token');
  });
});

describe('session: logout', () => {
  it('revokes the session with its current token', () => {
    spec
      .given([started])
      .when(revoke('d1'))
      .then([revoked('logout')]);
  });
  it('revokes with a token the session already rotated away from', () => {
    spec
      .given([started, refreshed])
      .when(revoke('d1'))
      .then([revoked('logout')]);
  });
  it('does nothing for a token the session does not know', () => {
    spec.given([started]).when(revoke('unknown')).thenNothing();
  });
  it('does nothing for a session that never started or is already revoked', () => {
    spec.given([]).when(revoke('d1')).thenNothing();
    spec
      .given([started, revoked('logout')])
      .when(revoke('d1'))
      .thenNothing();
  });
});
