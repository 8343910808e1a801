import type { LoggedEvent } from '../../log.js';
import { CloseCode, CloseReason } from '../close-codes.js';

/** The open connections of one user that an event of the log ends, and the close they get. */
export interface ConnectionsEnded {
  readonly userId: string;
  /** Whether the connection of this session (undefined: a token naming none) ends. */
  ends(sessionId: string | undefined): boolean;
  readonly code: number;
  readonly reason: string;
}

/**
 * A socket lives as long as its access token would, unless the log says sooner: an erased user's
 * sockets close at once, as do a revoked session's, and, once the password changes, every
 * session's but the one that changed it. Every realtime node follows the log, so this reaches the
 * sockets wherever they are.
 */
export function connectionsEndedBy(event: LoggedEvent): ConnectionsEnded | undefined {
  switch (event.type) {
    case 'UserErased':
      return {
        userId: event.data.userId,
        ends: () => true,
        code: CloseCode.unknownUser,
        reason: CloseReason.unknownUser,
      };
    case 'SessionRevoked': {
      const { sessionId } = event.data;
      return {
        userId: event.data.userId,
        ends: (each) => each === sessionId,
        code: CloseCode.sessionEnded,
        reason: CloseReason.sessionEnded,
      };
    }
    case 'PasswordChanged': {
      const { keptSessionId } = event.data;
      return {
        userId: event.data.userId,
        ends: (each) => each === undefined || each !== keptSessionId,
        code: CloseCode.sessionEnded,
        reason: CloseReason.sessionEnded,
      };
    }
    default:
      return undefined;
  }
}
