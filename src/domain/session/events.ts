import { Type } from '@sinclair/typebox';
import { defineEvent, type EventOf } from '../event-definition.js';

/** Only SHA-256 digests of refresh tokens are stored, never the tokens. */
export const sessionStarted = defineEvent(
  'SessionStarted',
  Type.Object({
    sessionId: Type.String(),
    userId: Type.String(),
    tokenDigest: Type.String(),
    startedAt: Type.String(),
    expiresAt: Type.String(),
  }),
);

export const sessionRefreshed = defineEvent(
  'SessionRefreshed',
  Type.Object({
    sessionId: Type.String(),
    userId: Type.String(),
    previousDigest: Type.String(),
    tokenDigest: Type.String(),
    refreshedAt: Type.String(),
    expiresAt: Type.String(),
  }),
);

export const sessionRevoked = defineEvent(
  'SessionRevoked',
  Type.Object({
    sessionId: Type.String(),
    userId: Type.String(),
    reason: Type.Union([Type.Literal('logout'), Type.Literal('token_reuse')]),
    revokedAt: Type.String(),
  }),
);

export const sessionEvents = [sessionStarted, sessionRefreshed, sessionRevoked] as const;

export type SessionStarted = EventOf<typeof sessionStarted>;
export type SessionRefreshed = EventOf<typeof sessionRefreshed>;
export type SessionRevoked = EventOf<typeof sessionRevoked>;
export type SessionEvent = EventOf<(typeof sessionEvents)[number]>;
