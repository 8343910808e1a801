import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import type { EventMetadata } from '../eventstore/port.js';
import { unauthorized } from '../http/problems.js';
import { loadUser, type RegisteredUser } from './accounts.js';
import type { CommandContext } from './command-handler.js';
import { sessions } from './aggregates.js';

export interface SessionDeps extends CommandContext {
  readonly now: () => Date;
  readonly refreshTokenTtlSeconds: number;
  /** Server key from which each rotated refresh token is derived from the one it replaces. */
  readonly refreshRotationKey: Buffer;
  /** How long a client may retry a refresh with the token it just rotated away from. */
  readonly refreshRetryGraceSeconds: number;
}

const digest = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** A refresh token is `<sessionId>.<secret>`; only the secret's digest is stored. */
function parseRefreshToken(token: string): { sessionId: string; secret: string } | undefined {
  const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match ? { sessionId: match[1]!, secret: match[2]! } : undefined;
}

const newSecret = () => randomBytes(32).toString('base64url');

function expiry(deps: SessionDeps, now: Date): string {
  return new Date(now.getTime() + deps.refreshTokenTtlSeconds * 1000).toISOString();
}

export async function startSession(
  deps: SessionDeps,
  user: RegisteredUser,
  metadata: EventMetadata,
): Promise<string> {
  const sessionId = randomUUID();
  const secret = newSecret();
  const now = deps.now();
  await sessions.handle(
    deps,
    sessionId,
    {
      type: 'StartSession',
      sessionId,
      userId: user.userId,
      tokenDigest: digest(secret),
      now: now.toISOString(),
      expiresAt: expiry(deps, now),
    },
    { metadata: { ...metadata, userId: user.userId } },
  );
  return `${sessionId}.${secret}`;
}

/** The request's metadata with the session's owner as the acting user (a cached, cheap read). */
async function withOwner(
  deps: SessionDeps,
  sessionId: string,
  metadata: EventMetadata,
): Promise<EventMetadata> {
  const state = await sessions.state(deps, sessionId);
  return state.status === 'none' ? metadata : { ...metadata, userId: state.userId };
}

/**
 * A session ends with its user: erased, or a password changed after it started (but the session
 * that changed it). The session stream is not written: the user's stream says it all.
 */
async function sessionStillValid(
  deps: SessionDeps,
  session: { readonly userId: string; readonly sessionId: string; readonly startedAt: string },
): Promise<boolean> {
  const user = await loadUser(deps, session.userId);
  if (!user) return false;
  if (user.sessionsValidFrom === null || session.sessionId === user.keptSessionId) return true;
  return session.startedAt >= user.sessionsValidFrom;
}

const invalidRefresh = () => unauthorized('the refresh token is used, revoked or expired');

/** Rotates the refresh token; a token used twice revokes its whole session. */
export async function refreshSession(
  deps: SessionDeps,
  token: string,
  metadata: EventMetadata,
): Promise<{ user: RegisteredUser; refreshToken: string }> {
  const parsed = parseRefreshToken(token);
  if (!parsed) throw invalidRefresh();
  // Derived, not random: a retry of this refresh derives the same token, which the session
  // recognises as the rotation it has just made (see RefreshSession.retryGraceMs).
  const secret = createHmac('sha256', deps.refreshRotationKey).update(token).digest('base64url');
  const now = deps.now();
  const session = await sessions.state(deps, parsed.sessionId);
  if (session.status === 'active' && !(await sessionStillValid(deps, session))) throw invalidRefresh();
  try {
    const outcome = await sessions.handle(
      deps,
      parsed.sessionId,
      {
        type: 'RefreshSession',
        presentedDigest: digest(parsed.secret),
        newDigest: digest(secret),
        now: now.toISOString(),
        expiresAt: expiry(deps, now),
        retryGraceMs: deps.refreshRetryGraceSeconds * 1000,
      },
      { metadata: await withOwner(deps, parsed.sessionId, metadata) },
    );
    if (outcome.state.status !== 'active') throw invalidRefresh();
    const user = await loadUser(deps, outcome.state.userId);
    if (!user) throw invalidRefresh();
    return { user, refreshToken: `${parsed.sessionId}.${secret}` };
  } catch (error) {
    // The session refuses a spent, revoked or expired token; the answer is the same 401 for each.
    if (error instanceof DomainError && error.code === 'invalid_refresh_token') throw invalidRefresh();
    throw error;
  }
}

/** Revokes the session the token belongs to; an unknown or spent token changes nothing. */
export async function endSession(deps: SessionDeps, token: string, metadata: EventMetadata): Promise<void> {
  const parsed = parseRefreshToken(token);
  if (!parsed) return;
  await sessions.handle(
    deps,
    parsed.sessionId,
    { type: 'RevokeSession', presentedDigest: digest(parsed.secret), now: deps.now().toISOString() },
    { metadata: await withOwner(deps, parsed.sessionId, metadata) },
  );
}
