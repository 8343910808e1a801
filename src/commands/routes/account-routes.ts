import { Type } from '@sinclair/typebox';
import { tooManyRequests, unauthorized } from '../../platform/problems.js';
import type { HttpApp } from '../../platform/http-app.js';
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

const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
  refresh_token: Type.String(),
});

const RefreshBody = Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 200 }) });

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
          body: Type.Object(
            {
              username: Username,
              email: Email,
              password: Type.String({ minLength: 8, maxLength: 256 }),
              displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ userId: UserId, username: Type.String(), position: Position }) },
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
          description: 'OAuth2 password grant; JSON or application/x-www-form-urlencoded.',
          body: Type.Object({
            username: Type.String({ minLength: 1, maxLength: 254, description: 'username or email' }),
            password: Type.String({ minLength: 1, maxLength: 256 }),
            grant_type: Type.Optional(Type.Literal('password')),
          }),
          response: { 200: TokenResponse },
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
          description: 'Confirms the email with the 6-digit code mailed at registration (or resent).',
          body: Type.Object(
            { email: Email, code: Type.String({ pattern: '^[0-9]{6}$', description: 'the 6-digit code' }) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              userId: UserId,
              emailVerified: Type.Literal(true),
              position: Type.Optional(Position),
            }),
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
          description:
            'Mails a new verification code if the address belongs to an unverified user; ' +
            'answers 202 either way.',
          body: Type.Object({ email: Email }, { additionalProperties: false }),
          response: { 202: Type.Object({}) },
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
      { schema: { tags: ['accounts'], body: RefreshBody, response: { 200: TokenResponse } } },
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
      { schema: { tags: ['accounts'], body: RefreshBody } },
      async (request, reply) => {
        await endSession(deps, request.body.refresh_token, requestMetadata(request, deps.now()));
        return reply.status(204).send();
      },
    );
  };
}
