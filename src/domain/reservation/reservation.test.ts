import { describe, it } from 'vitest';
import { deciderSpec } from '../decider-spec.js';
import { reservationDecider, type ReservationEvent } from './reservation.js';

const spec = deciderSpec(reservationDecider);
const now = '2026-01-01T00:00:00.000Z';
const claimed = (ownerId: string, value = 'alice'): ReservationEvent => ({
  type: 'ReservationClaimed',
  data: { kind: 'username', value, ownerId, claimedAt: now },
});
const claim = (ownerId: string, extra: object = {}) => ({
  type: 'ClaimReservation' as const,
  kind: 'username' as const,
  value: 'Alice',
  ownerId,
  now,
  ...extra,
});

describe('reservation', () => {
  it('claims a free value, lower-cased', () => {
    spec
      .given([])
      .when(claim('u1'))
      .then([claimed('u1')]);
  });
  it('refuses a value another owner holds', () => {
    spec
      .given([claimed('u1')])
      .when(claim('u2'))
      .thenRefused('conflict', 'username_taken');
  });
  it('is idempotent for the owner', () => {
    spec
      .given([claimed('u1')])
      .when(claim('u1'))
      .thenNothing();
  });
  it('takes over a claim the caller found abandoned', () => {
    spec
      .given([claimed('u1')])
      .when(claim('u2', { holderAbandoned: true }))
      .then([
        {
          type: 'ReservationReleased',
          data: { kind: 'username', value: 'alice', ownerId: 'u1', releasedAt: now },
        },
        claimed('u2'),
      ]);
  });
  it('releases for its owner only, and a released value can be claimed again', () => {
    const release = (ownerId: string) => ({
      type: 'ReleaseReservation' as const,
      kind: 'username' as const,
      value: 'alice',
      ownerId,
      now,
    });
    spec
      .given([claimed('u1')])
      .when(release('u2'))
      .thenNothing();
    spec
      .given([claimed('u1')])
      .when(release('u1'))
      .then([
        {
          type: 'ReservationReleased',
          data: { kind: 'username', value: 'alice', ownerId: 'u1', releasedAt: now },
        },
      ]);
    spec
      .given([
        claimed('u1'),
        {
          type: 'ReservationReleased',
          data: { kind: 'username', value: 'alice', ownerId: 'u1', releasedAt: now },
        },
      ])
      .when(claim('u2'))
      .then([claimed('u2')]);
  });
});
