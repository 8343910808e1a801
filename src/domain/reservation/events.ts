import { Type } from '@sinclair/typebox';
import { defineEvent, type EventOf } from '../event-definition.js';

const ReservationKindSchema = Type.Union([Type.Literal('username'), Type.Literal('email')]);

export const reservationClaimed = defineEvent(
  'ReservationClaimed',
  Type.Object({
    kind: ReservationKindSchema,
    value: Type.String(),
    ownerId: Type.String(),
    claimedAt: Type.String(),
  }),
);

export const reservationReleased = defineEvent(
  'ReservationReleased',
  Type.Object({
    kind: ReservationKindSchema,
    value: Type.String(),
    ownerId: Type.String(),
    releasedAt: Type.String(),
  }),
);

export const reservationEvents = [reservationClaimed, reservationReleased] as const;

export type ReservationClaimed = EventOf<typeof reservationClaimed>;
export type ReservationReleased = EventOf<typeof reservationReleased>;
export type ReservationEvent = EventOf<(typeof reservationEvents)[number]>;
export type ReservationKind = ReservationClaimed['data']['kind'];
