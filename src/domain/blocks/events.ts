import { Type } from '@sinclair/typebox';
import { defineEvent, type EventOf } from '../event-definition.js';

export const userBlocked = defineEvent(
  'UserBlocked',
  Type.Object({ blockerId: Type.String(), blockedId: Type.String(), blockedAt: Type.String() }),
);

export const userUnblocked = defineEvent(
  'UserUnblocked',
  Type.Object({ blockerId: Type.String(), blockedId: Type.String(), unblockedAt: Type.String() }),
);

export const blocksEvents = [userBlocked, userUnblocked] as const;

export type UserBlocked = EventOf<typeof userBlocked>;
export type UserUnblocked = EventOf<typeof userUnblocked>;
export type BlocksEvent = EventOf<(typeof blocksEvents)[number]>;
