import type { FastifyRequest } from 'fastify';
import { unauthorized } from './problems.js';
import { InvalidTokenError, type AccessTokenClaims, type TokenService } from '../platform/tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set by the authenticate hook of protected routes. */
    auth: AccessTokenClaims | null;
  }
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9\-_.~+/]+=*)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

export interface AuthenticateOptions {
  readonly tokens: TokenService;
  /** Refuses tokens of users who no longer exist (or never did). */
  readonly userExists?: (userId: string) => Promise<boolean>;
}

/** An onRequest hook: a route behind it has `request.auth` set or answers 401. */
export function authenticate(options: AuthenticateOptions) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw unauthorized();
    try {
      request.auth = await options.tokens.verifyAccessToken(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw unauthorized('the bearer token is invalid or expired');
      throw error;
    }
    if (options.userExists && !(await options.userExists(request.auth.userId))) {
      throw unauthorized('the bearer token belongs to no user');
    }
  };
}

/** The caller of a route behind `authenticate`. */
export function caller(request: FastifyRequest): AccessTokenClaims {
  if (!request.auth) throw unauthorized();
  return request.auth;
}
