import { assertNever, typeGuard, type Decider } from '../decider.js';
import { refuse } from '../errors.js';
import type { ReservationClaimed, ReservationEvent, ReservationKind } from './events.js';
export type { ReservationClaimed, ReservationReleased, ReservationEvent, ReservationKind } from './events.js';

export type ClaimReservation = {
  readonly type: 'ClaimReservation';
  readonly kind: ReservationKind;
  readonly value: string;
  readonly ownerId: string;
  readonly now: string;
  /**
   * Set by the caller when the current holder never completed what it reserved the value for
   * (its owner has no stream) and its claim is older than the stale bound: the claim is taken over.
   */
  readonly holderAbandoned?: boolean;
};
export type ReleaseReservation = {
  readonly type: 'ReleaseReservation';
  readonly kind: ReservationKind;
  readonly value: string;
  readonly ownerId: string;
  readonly now: string;
};
export type ReservationCommand = ClaimReservation | ReleaseReservation;

export type ReservationState =
  | { readonly status: 'free' }
  | { readonly status: 'held'; readonly ownerId: string; readonly claimedAt: string };

/** Lower-cased so that uniqueness is case-insensitive. */
export const normaliseReservationValue = (value: string) => value.trim().toLowerCase();

export const reservationStreamName = (kind: ReservationKind, value: string) =>
  `reservation-${kind}-${normaliseReservationValue(value)}`;

export const reservationDecider: Decider<ReservationState, ReservationCommand, ReservationEvent> = {
  initialState: () => ({ status: 'free' }),
  isEvent: typeGuard<ReservationEvent>(['ReservationClaimed', 'ReservationReleased']),
  evolve(state, event) {
    switch (event.type) {
      case 'ReservationClaimed':
        return { status: 'held', ownerId: event.data.ownerId, claimedAt: event.data.claimedAt };
      case 'ReservationReleased':
        return state.status === 'held' && state.ownerId === event.data.ownerId ? { status: 'free' } : state;
      default:
        return assertNever(event);
    }
  },
  decide(command, state) {
    const value = normaliseReservationValue(command.value);
    switch (command.type) {
      case 'ClaimReservation': {
        const claim: ReservationClaimed = {
          type: 'ReservationClaimed',
          data: { kind: command.kind, value, ownerId: command.ownerId, claimedAt: command.now },
        };
        if (state.status === 'free') return [claim];
        if (state.ownerId === command.ownerId) return [];
        if (command.holderAbandoned) {
          return [
            {
              type: 'ReservationReleased',
              data: { kind: command.kind, value, ownerId: state.ownerId, releasedAt: command.now },
            },
            claim,
          ];
        }
        throw refuse(`${command.kind}_taken`, `that ${command.kind} is already taken`);
      }
      case 'ReleaseReservation':
        if (state.status !== 'held' || state.ownerId !== command.ownerId) return [];
        return [
          {
            type: 'ReservationReleased',
            data: { kind: command.kind, value, ownerId: command.ownerId, releasedAt: command.now },
          },
        ];
      default:
        return assertNever(command);
    }
  },
};
