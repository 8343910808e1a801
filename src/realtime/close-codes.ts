/**
 * WebSocket close codes the realtime server uses (documented for clients in README.md).
 * 1006 never appears here: it is what a client observes when the server drops the TCP connection
 * without a close frame (backpressure limit, idle timeout, oversized client frame).
 */
export const CloseCode = {
  /** The server is shutting down; reconnect (to another node) with `since`. */
  goingAway: 1001,
  /** The server could not serve the resume (event store error); reconnect with `since`. */
  internalError: 1011,
  /** The access token expired while connected; refresh it and reconnect with `since`. */
  tokenExpired: 4001,
  /** The token's session ended (logged out, or the password changed elsewhere); log in again. */
  sessionEnded: 4002,
  /** The token's user does not exist (any more); log in again. */
  unknownUser: 4003,
  /** The client did not read its replay for REPLAY_DRAIN_TIMEOUT; reconnect with `since` and read. */
  tooSlow: 4008,
} as const;

export const CloseReason = {
  goingAway: 'going away',
  internalError: 'internal error',
  tokenExpired: 'token expired',
  sessionEnded: 'session ended',
  unknownUser: 'unknown user',
  tooSlow: 'too slow',
} as const;
