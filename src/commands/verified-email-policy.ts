import type { FastifyRequest } from 'fastify';
import { refuse } from '../domain/errors.js';

/**
 * What an account whose email is not verified may still do behind a bearer token (logging in,
 * refreshing, logging out, verifying and resending need none): read itself, introspect its token,
 * and exercise its rights over its data, export and erasure, which must not depend on a mailbox.
 */
export const ALLOWED_UNVERIFIED: ReadonlySet<string> = new Set([
  'GET /v1/me',
  'GET /v1/auth/verify',
  'GET /v1/me/export',
  'DELETE /v1/me',
]);

export const emailNotVerified = () =>
  refuse('email_not_verified', 'verify your email first (POST /v1/auth/verify-email)');

/**
 * An onRequest hook for authenticated routes with REQUIRE_EMAIL_VERIFICATION on: everything but
 * ALLOWED_UNVERIFIED answers 403 `email-not-verified` until the caller's email is verified.
 */
export function requireVerifiedEmail(isVerified: (userId: string) => Promise<boolean>) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!request.auth) return;
    if (ALLOWED_UNVERIFIED.has(`${request.method} ${request.routeOptions.url ?? ''}`)) return;
    if (!(await isVerified(request.auth.userId))) throw emailNotVerified();
  };
}
