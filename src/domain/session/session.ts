import { assertNever, typeGuard, type Decider } from '../decider.js';
import { refuse } from '../errors.js';
import type { SessionRevoked, SessionEvent } from './events.js';
export type { SessionStarted, SessionRefreshed, SessionRevoked, SessionEvent } from './events.js';

export type StartSession = {
  readonly type: 'StartSession';
  readonly sessionId: string;
  readonly userId: string;
  readonly tokenDigest: string;
  readonly now: string;
  readonly expiresAt: string;
};
export type RefreshSession = {
  readonly type: 'RefreshSession';
  readonly presentedDigest: string;
  /** Derived from the presented token, so a retry of the same refresh asks for the same new one. */
  readonly newDigest: string;
  readonly now: string;
  readonly expiresAt: string;
  /**
   * How long after a rotation the token it replaced may be presented again for the same new
   * token (a client retrying a refresh whose answer it lost), instead of counting as reuse.
   */
  readonly retryGraceMs: number;
};
export type RevokeSession = {
  readonly type: 'RevokeSession';
  readonly presentedDigest: string;
  readonly now: string;
};
export type SessionCommand = StartSession | RefreshSession | RevokeSession;

export type SessionState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'revoked';
      readonly sessionId: string;
      readonly userId: string;
      readonly currentDigest: string;
      readonly startedAt: string;
      readonly expiresAt: string;
      readonly usedDigests: ReadonlySet<string>;
      /** The latest rotation: which token it replaced, by which, and when. */
      readonly lastRotation?: {
        readonly previousDigest: string;
        readonly tokenDigest: string;
        readonly at: string;
      };
    };

export const sessionStreamName = (sessionId: string) => `session-${sessionId}`;

const refused = () => refuse('invalid_refresh_token', 'the refresh token is used, revoked or expired');

export const sessionDecider: Decider<SessionState, SessionCommand, SessionEvent> = {
  initialState: () => ({ status: 'none' }),
  isEvent: typeGuard<SessionEvent>(['SessionStarted', 'SessionRefreshed', 'SessionRevoked']),
  evolve(state, event) {
    switch (event.type) {
      case 'SessionStarted':
        return {
          status: 'active',
          sessionId: event.data.sessionId,
          userId: event.data.userId,
          currentDigest: event.data.tokenDigest,
          startedAt: event.data.startedAt,
          expiresAt: event.data.expiresAt,
          usedDigests: new Set(),
        };
      case 'SessionRefreshed':
        if (state.status === 'none') return state;
        return {
          ...state,
          currentDigest: event.data.tokenDigest,
          expiresAt: event.data.expiresAt,
          usedDigests: new Set([...state.usedDigests, event.data.previousDigest]),
          lastRotation: {
            previousDigest: event.data.previousDigest,
            tokenDigest: event.data.tokenDigest,
            at: event.data.refreshedAt,
          },
        };
      case 'SessionRevoked':
        return state.status === 'none' ? state : { ...state, status: 'revoked' };
      default:
        return assertNever(event);
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'StartSession':
        if (state.status !== 'none') throw refuse('session_exists', 'this session already exists');
        return [
          {
            type: 'SessionStarted',
            data: {
              sessionId: command.sessionId,
              userId: command.userId,
              tokenDigest: command.tokenDigest,
              startedAt: command.now,
              expiresAt: command.expiresAt,
            },
          },
        ];
      case 'RefreshSession': {
        if (state.status !== 'active') throw refused();
        const last = state.lastRotation;
        if (
          last !== undefined &&
          last.previousDigest === command.presentedDigest &&
          last.tokenDigest === command.newDigest &&
          last.tokenDigest === state.currentDigest &&
          Date.parse(command.now) - Date.parse(last.at) <= command.retryGraceMs
        ) {
          // The same refresh again, moments later: it already happened; the caller answers with
          // the same new token.
          return [];
        }
        if (state.usedDigests.has(command.presentedDigest)) {
          const revoke: SessionRevoked = {
            type: 'SessionRevoked',
            data: {
              sessionId: state.sessionId,
              userId: state.userId,
              reason: 'token_reuse',
              revokedAt: command.now,
            },
          };
          return [revoke];
        }
        if (state.currentDigest !== command.presentedDigest || command.now >= state.expiresAt)
          throw refused();
        return [
          {
            type: 'SessionRefreshed',
            data: {
              sessionId: state.sessionId,
              userId: state.userId,
              previousDigest: state.currentDigest,
              tokenDigest: command.newDigest,
              refreshedAt: command.now,
              expiresAt: command.expiresAt,
            },
          },
        ];
      }
      case 'RevokeSession':
        if (state.status !== 'active') return [];
        if (
          state.currentDigest !== command.presentedDigest &&
          !state.usedDigests.has(command.presentedDigest)
        ) {
          return [];
        }
        return [
          {
            type: 'SessionRevoked',
            data: {
              sessionId: state.sessionId,
              userId: state.userId,
              reason: 'logout',
              revokedAt: command.now,
            },
          },
        ];
      default:
        return assertNever(command);
    }
  },
};
