import type { Logger } from 'pino';
import type { HttpRequest, HttpResponse, us_socket_context_t } from 'uWebSockets.js';
import { InvalidTokenError, type AccessTokenClaims, type TokenService } from '../platform/tokens.js';
import type { UpgradeData, UserCheck } from './connection.js';
import { accessToken, parseSince } from './handshake.js';
import { writeProblem } from './http-responses.js';

const WWW_AUTHENTICATE = { 'www-authenticate': 'Bearer' };

export interface UpgradeDeps {
  readonly tokens: TokenService;
  readonly logger: Logger;
  /** True once the server is closing: no new connection is accepted. */
  readonly isClosing: () => boolean;
  /** Whether the token's user exists: at once when known, else a promise (checked after `open`). */
  readonly userExists?: (userId: string) => boolean | Promise<boolean>;
  /** Takes one of the user's connection slots; false when they have none left. */
  readonly admit: (userId: string) => boolean;
}

/**
 * The uWS `upgrade` handler: checks `since` (400), the access token (401), the server's state
 * (503) and the user's connection slots (429) before the socket becomes a WebSocket, so a refused
 * client never gets a WebSocket at all.
 *
 * Everything here is synchronous, and the upgrade happens inside uWS's own handler, which uWS
 * corks itself. An upgrade completed later (after an await) would have to be corked by hand, and
 * in this uWS build `res.cork()` around an upgrade can close the new WebSocket right after
 * `open` (uNetworking/uWebSockets#1928: cork() then reads HTTP state from memory the WebSocket
 * now owns); left uncorked, uWS writes a warning to stderr on every upgrade. So the token is
 * verified synchronously (HS256), and the one check that may need the store, whether the user
 * still exists when the cache cannot tell, is made after `open`, before anything is sent.
 */
export function createUpgradeHandler(
  deps: UpgradeDeps,
): (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => void {
  return (res, req, context) => {
    const since = parseSince(req.getQuery('since'));
    if (!since.ok) {
      writeProblem(res, 'validation', 'since must be a non-negative decimal integer (a log position)');
      return;
    }
    const token = accessToken(req.getHeader('authorization'), req.getQuery('access_token'));
    const claims = token === undefined ? 'missing' : verify(deps, token);
    if (claims === 'missing' || claims === 'invalid') {
      const detail =
        claims === 'missing' ? 'a valid access token is required' : 'the access token is invalid or expired';
      writeProblem(res, 'unauthorized', detail, WWW_AUTHENTICATE);
      return;
    }
    if (claims === 'failed') {
      writeProblem(res, 'internal', 'an unexpected error occurred');
      return;
    }
    if (deps.isClosing()) {
      writeProblem(res, 'not_ready', 'the server is shutting down');
      return;
    }
    const exists = userExists(deps, claims.userId);
    if (exists === false) {
      writeProblem(res, 'unauthorized', 'the access token is invalid or expired', WWW_AUTHENTICATE);
      return;
    }
    if (!deps.admit(claims.userId)) {
      writeProblem(res, 'too_many_connections', 'this user has too many open connections', {
        'retry-after': '5',
      });
      return;
    }
    const data: UpgradeData = {
      claims,
      since: since.since,
      ...(exists === true ? {} : { userCheck: exists }),
    };
    res.upgrade(
      data,
      req.getHeader('sec-websocket-key'),
      req.getHeader('sec-websocket-protocol'),
      req.getHeader('sec-websocket-extensions'),
      context,
    );
  };
}

function verify(deps: UpgradeDeps, token: string): AccessTokenClaims | 'invalid' | 'failed' {
  try {
    return deps.tokens.verifyAccessTokenNow(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) return 'invalid';
    deps.logger.error({ err: error }, 'realtime token verification failed unexpectedly');
    return 'failed';
  }
}

/** true or false when known now; else a promise of the answer that never rejects. */
function userExists(deps: UpgradeDeps, userId: string): boolean | Promise<UserCheck> {
  if (!deps.userExists) return true;
  const failed = (error: unknown): UserCheck => {
    deps.logger.error({ err: error }, 'realtime user check failed');
    return 'failed';
  };
  try {
    const answer = deps.userExists(userId);
    if (typeof answer === 'boolean') return answer;
    return answer.then((exists): UserCheck => (exists ? 'exists' : 'unknown'), failed);
  } catch (error) {
    return Promise.resolve(failed(error));
  }
}
