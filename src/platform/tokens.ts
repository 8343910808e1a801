import { createSecretKey } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

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
    if (verified.size > VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
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
