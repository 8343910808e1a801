import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { trimOldest } from './bounded-map.js';

export interface AccessTokenClaims {
  readonly userId: string;
  readonly username: string;
  /** The session (refresh token) the token was issued for, when it was issued for one. */
  readonly sessionId?: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
}

export interface TokenService {
  issueAccessToken(
    user: { userId: string; username: string },
    sessionId?: string,
  ): Promise<{ token: string; expiresIn: number }>;
  /** Resolves the claims of a valid token; rejects with InvalidTokenError otherwise. */
  verifyAccessToken(token: string): Promise<AccessTokenClaims>;
  /**
   * The same check, synchronously (HS256 with node:crypto), for a caller that cannot wait: the
   * WebSocket upgrade, which uWS serves best from inside its own synchronous handler.
   * Throws InvalidTokenError.
   */
  verifyAccessTokenNow(token: string): AccessTokenClaims;
}

export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

const ISSUER = 'chat-backend';
/** Tokens whose signature has been checked, kept until they expire (a client sends the same one for minutes). */
const VERIFIED_CACHE_SIZE = 10_000;
const AUDIENCE = 'chat-backend:access';

export function createTokenService(options: {
  secret: string;
  accessTokenTtlSeconds: number;
  now?: () => number;
}): TokenService {
  // Imported once: jose would otherwise import a raw key on every verification.
  const key = createSecretKey(Buffer.from(options.secret, 'utf8'));
  const now = options.now ?? Date.now;
  const verified = new Map<string, AccessTokenClaims>();
  const remember = (token: string, claims: AccessTokenClaims): void => {
    verified.set(token, claims);
    trimOldest(verified, VERIFIED_CACHE_SIZE);
  };
  return {
    async issueAccessToken(user, sessionId) {
      const issuedAt = Math.floor(now() / 1000);
      const token = await new SignJWT({ username: user.username, ...(sessionId ? { sid: sessionId } : {}) })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + options.accessTokenTtlSeconds)
        .sign(key);
      return { token, expiresIn: options.accessTokenTtlSeconds };
    },
    verifyAccessTokenNow(token) {
      const known = verified.get(token);
      if (known !== undefined && known.exp > now() / 1000) return known;
      const claims = verifyHs256(token, options.secret, now() / 1000);
      remember(token, claims);
      return claims;
    },
    async verifyAccessToken(token) {
      const known = verified.get(token);
      if (known !== undefined) {
        if (known.exp > now() / 1000) return known;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          currentDate: new Date(now()),
        });
        if (typeof payload.sub !== 'string' || typeof payload.username !== 'string' || !payload.exp) {
          throw new InvalidTokenError('token lacks required claims');
        }
        const claims = {
          userId: payload.sub,
          username: payload.username,
          exp: payload.exp,
          ...(typeof payload.sid === 'string' ? { sessionId: payload.sid } : {}),
        };
        remember(token, claims);
        return claims;
      } catch (error) {
        if (error instanceof InvalidTokenError) throw error;
        if (error instanceof joseErrors.JOSEError) throw new InvalidTokenError(error.code);
        throw error;
      }
    },
  };
}

function decodeJson(part: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Reported below as a malformed token.
  }
  throw new InvalidTokenError('malformed token');
}

/** A compact JWS with HS256 and the claims this service issues, checked as jwtVerify does above. */
function verifyHs256(token: string, secret: string, nowSeconds: number): AccessTokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
    throw new InvalidTokenError('malformed token');
  }
  const [header, payload, signature] = parts as [string, string, string];
  const protectedHeader = decodeJson(header);
  if (protectedHeader.alg !== 'HS256' || protectedHeader.crit !== undefined) {
    throw new InvalidTokenError('unexpected algorithm');
  }
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidTokenError('signature verification failed');
  }
  const claims = decodeJson(payload);
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== ISSUER || !audience.includes(AUDIENCE))
    throw new InvalidTokenError('claim check failed');
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds)
    throw new InvalidTokenError('token expired');
  if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds) throw new InvalidTokenError('not yet valid');
  if (typeof claims.sub !== 'string' || typeof claims.username !== 'string') {
    throw new InvalidTokenError('token lacks required claims');
  }
  return {
    userId: claims.sub,
    username: claims.username,
    exp: claims.exp,
    ...(typeof claims.sid === 'string' ? { sessionId: claims.sid } : {}),
  };
}
