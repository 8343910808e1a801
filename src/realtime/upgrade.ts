import type { Logger } from 'pino';
import type { HttpRequest, HttpResponse, us_socket_context_t } from 'uWebSockets.js';
import { InvalidTokenError, type TokenService } from '../platform/tokens.js';
import type { UpgradeData } from './connection.js';
import { accessToken, parseSince } from './handshake.js';
import { writeProblem } from './http-responses.js';

const WWW_AUTHENTICATE = { 'www-authenticate': 'Bearer' };

export interface UpgradeDeps {
  readonly tokens: TokenService;
  readonly logger: Logger;
  /** True once the server is closing: no new connection is accepted. */
  readonly isClosing: () => boolean;
  /** Keeps track of the asynchronous part so that close() can wait for it. */
  readonly track: (work: Promise<void>) => void;
  readonly userExists?: (userId: string) => Promise<boolean>;
  /** Takes one of the user's connection slots; false when they have none left. */
  readonly admit: (userId: string) => boolean;
}

/**
 * The uWS `upgrade` handler: checks `since` (400) and the access token (401) before the socket
 * becomes a WebSocket, so a refused client never gets a WebSocket at all.
 */
export function createUpgradeHandler(
  deps: UpgradeDeps,
): (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => void {
  return (res, req, context) => {
    // The request object lives only during this synchronous call: copy what is needed.
    const key = req.getHeader('sec-websocket-key');
    const protocol = req.getHeader('sec-websocket-protocol');
    const extensions = req.getHeader('sec-websocket-extensions');
    const token = accessToken(req.getHeader('authorization'), req.getQuery('access_token'));
    const since = parseSince(req.getQuery('since'));

    if (!since.ok) {
      writeProblem(res, 'validation', 'since must be a non-negative decimal integer (a log position)');
      return;
    }
    if (token === undefined) {
      writeProblem(res, 'unauthorized', 'a valid access token is required', WWW_AUTHENTICATE);
      return;
    }
    if (deps.isClosing()) {
      writeProblem(res, 'not_ready', 'the server is shutting down');
      return;
    }

    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });

    deps.track(
      (async () => {
        const outcome = await verify(deps, token);
        if (aborted) return;
        if (outcome === 'invalid') {
          res.cork(() =>
            writeProblem(res, 'unauthorized', 'the access token is invalid or expired', WWW_AUTHENTICATE),
          );
        } else if (outcome === 'failed') {
          res.cork(() => writeProblem(res, 'internal', 'an unexpected error occurred'));
        } else if (deps.isClosing()) {
          res.cork(() => writeProblem(res, 'not_ready', 'the server is shutting down'));
        } else if (!deps.admit(outcome.userId)) {
          res.cork(() =>
            writeProblem(res, 'too_many_connections', 'this user has too many open connections', {
              'retry-after': '5',
            }),
          );
        } else {
          // Deliberately not corked: in this uWS build, res.cork() around an asynchronous upgrade
          // can close the new WebSocket right after `open` (uNetworking/uWebSockets#1928: cork()
          // reads the freed HTTP state after the in-place realloc). Uncorked, uWS prints a
          // "writes must be made from within a corked callback" warning per upgrade, but the socket
          // survives. Restore the cork once the dependency carries the fix.
          const data: UpgradeData = { claims: outcome, since: since.since };
          res.upgrade(data, key, protocol, extensions, context);
        }
      })(),
    );
  };
}

async function verify(deps: UpgradeDeps, token: string) {
  try {
    const claims = await deps.tokens.verifyAccessToken(token);
    if (deps.userExists && !(await deps.userExists(claims.userId))) return 'invalid' as const;
    return claims;
  } catch (error) {
    if (error instanceof InvalidTokenError) return 'invalid' as const;
    deps.logger.error({ err: error }, 'realtime token verification failed unexpectedly');
    return 'failed' as const;
  }
}
