// Long because each route declares its full TypeBox schemas and documented problems; the logic is in the use cases.
import { Type } from '@sinclair/typebox';
import { COMMAND, NoContent, WITH_BODY, problems } from '../../http-docs/openapi.js';
import { tooManyRequests, unauthorized } from '../../http/problems.js';
import type { HttpApp } from '../../http/http-app.js';
import type { TokenService } from '../../platform/tokens.js';
import {
  authenticate as checkCredentials,
  registerUser,
  type AccountDeps,
  type RegisteredUser,
} from '../accounts.js';
import { resendVerification, verifyEmail, type EmailVerificationDeps } from '../email-verification.js';
import type { LoginThrottle } from '../login-throttle.js';
import { requestMetadata } from '../metadata.js';
import { endSession, refreshSession, startSession, type SessionDeps } from '../sessions.js';
import { Position, UserId, Username } from './schemas.js';

export interface AccountRoutesDeps extends AccountDeps, EmailVerificationDeps, SessionDeps {
  readonly tokens: TokenService;
  readonly loginThrottle: LoginThrottle;
  /** Accounts one client address may create per hour; 0: no limit. */
  readonly registrationsPerIpPerHour: number;
}

const Email = Type.String({ format: 'email', maxLength: 254 });

export const TokenResponse = Type.Object(
  {
    access_token: Type.String({ description: 'JWT for `Authorization: Bearer` and the WebSocket' }),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ description: 'seconds the access token is valid' }),
    refresh_token: Type.String({ description: 'single use: each refresh returns a new one' }),
  },
  { description: 'RFC 6749 token response' },
);

const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 200 }) },
  { examples: [{ refresh_token: '6f1c…' }] },
);

export function accountRoutes(deps: AccountRoutesDeps) {
  async function tokenResponse(user: RegisteredUser, refreshToken: string) {
    const access = await deps.tokens.issueAccessToken(user, refreshToken.slice(0, refreshToken.indexOf('.')));
    return {
      access_token: access.token,
      token_type: 'bearer' as const,
      expires_in: access.expiresIn,
      refresh_token: refreshToken,
    };
  }

  return async (app: HttpApp) => {
    app.post(
      '/v1/auth/register',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Sign up',
          operationId: 'register',
          description: 'Creates an account; a verification code is mailed to the address.',
          body: Type.Object(
            {
              username: Username,
              email: Email,
              password: Type.String({ minLength: 8, maxLength: 256 }),
              displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            },
            {
              additionalProperties: false,
              examples: [
                { username: 'alice', email: 'alice@example.com', password: 'correct-horse-battery' },
              ],
            },
          ),
          response: {
            201: Type.Object(
              { userId: UserId, username: Type.String(), position: Position },
              { description: 'Registered' },
            ),
            ...problems(...WITH_BODY, 409, 429, {
              409: 'The username or the email is taken',
              429: 'Too many accounts created from this address',
              503: 'Too many password hashes at once',
            }),
          },
        },
      },
      async (request, reply) => {
        const limit = deps.registrationsPerIpPerHour;
        const byIp =
          limit > 0
            ? await deps.limiter.hit(`register-ip:${request.ip}`, { limit, windowSeconds: 3600 })
            : undefined;
        if (byIp && !byIp.allowed) {
          throw tooManyRequests(
            'too many accounts created from this address; retry later',
            byIp.retryAfterSeconds,
          );
        }
        const user = await registerUser(deps, request.body, requestMetadata(request, deps.now()));
        return reply.status(201).send({ ...user, position: user.position.toString() });
      },
    );

    app.post(
      '/v1/auth/token',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Log in (OAuth2 password grant)',
          operationId: 'login',
          description:
            'OAuth2 password grant. The body is JSON or `application/x-www-form-urlencoded` ' +
            '(`username=alice&password=…`, as OAuth2 clients send it).',
          consumes: ['application/json', 'application/x-www-form-urlencoded'],
          body: Type.Object(
            {
              username: Type.String({ minLength: 1, maxLength: 254, description: 'username or email' }),
              password: Type.String({ minLength: 1, maxLength: 256 }),
              grant_type: Type.Optional(Type.Literal('password')),
            },
            { examples: [{ username: 'alice', password: 'correct-horse-battery' }] },
          ),
          response: {
            200: TokenResponse,
            ...problems(...COMMAND, 429, {
              401: 'Unknown user or wrong password (the same answer for both)',
              429: 'Too many failed logins for this user or from this address',
              503: 'Too many password checks at once',
            }),
          },
        },
      },
      async (request, reply) => {
        const { username: login, password } = request.body;
        await deps.loginThrottle.admit(login, request.ip);
        const user = await checkCredentials(deps, login, password);
        if (!user) throw unauthorized('unknown user or wrong password');
        await deps.loginThrottle.succeeded(request.ip, user);
        const refreshToken = await startSession(deps, user, requestMetadata(request, deps.now()));
        return reply.header('cache-control', 'no-store').send(await tokenResponse(user, refreshToken));
      },
    );

    app.post(
      '/v1/auth/verify-email',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Verify the email address',
          operationId: 'verifyEmail',
          description: 'Confirms the email with the 6-digit code mailed at registration (or resent).',
          body: Type.Object(
            { email: Email, code: Type.String({ pattern: '^[0-9]{6}$', description: 'the 6-digit code' }) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object(
              {
                userId: UserId,
                emailVerified: Type.Literal(true),
                position: Type.Optional(Position),
              },
              { description: 'Verified' },
            ),
            ...problems(...WITH_BODY, 409, { 400: 'The code is wrong or expired' }),
          },
        },
      },
      async (request) => {
        const { userId, position } = await verifyEmail(
          deps,
          request.body,
          requestMetadata(request, deps.now()),
        );
        return {
          userId,
          emailVerified: true as const,
          ...(position !== undefined ? { position: position.toString() } : {}),
        };
      },
    );

    app.post(
      '/v1/auth/resend-verification',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Mail a new verification code',
          operationId: 'resendVerification',
          description:
            'Mails a new verification code if the address belongs to an unverified user; ' +
            'answers 202 either way.',
          body: Type.Object({ email: Email }, { additionalProperties: false }),
          response: {
            202: Type.Object({}, { description: 'Accepted (whether or not the address is known)' }),
            ...problems(...WITH_BODY, 409, 429, { 429: 'Too many verification mails asked for' }),
          },
        },
      },
      async (request, reply) => {
        await resendVerification(
          deps,
          { email: request.body.email, clientIp: request.ip },
          requestMetadata(request, deps.now()),
        );
        return reply.status(202).send({});
      },
    );

    app.post(
      '/v1/auth/refresh',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Refresh the tokens (rotation)',
          operationId: 'refreshToken',
          description:
            'Returns a new access token and a new refresh token; the old refresh token is spent. ' +
            'A retry with the same token within 10 s gets the same answer; later reuse revokes the session.',
          body: RefreshBody,
          response: {
            200: TokenResponse,
            ...problems(...COMMAND, { 401: 'The refresh token is used, revoked or expired' }),
          },
        },
      },
      async (request, reply) => {
        const { user, refreshToken } = await refreshSession(
          deps,
          request.body.refresh_token,
          requestMetadata(request, deps.now()),
        );
        return reply.header('cache-control', 'no-store').send(await tokenResponse(user, refreshToken));
      },
    );

    app.post(
      '/v1/auth/logout',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Log out (revoke the session)',
          operationId: 'logout',
          body: RefreshBody,
          response: {
            204: NoContent('Logged out (also for an unknown or spent token)'),
            ...problems(...COMMAND),
          },
        },
      },
      async (request, reply) => {
        await endSession(deps, request.body.refresh_token, requestMetadata(request, deps.now()));
        return reply.status(204).send();
      },
    );
  };
}
