import type { LoginLimits } from '../platform/config.js';
import { tooManyRequests } from '../platform/problems.js';
import type { RateLimiter } from '../platform/rate-limiter.js';

export interface LoginThrottle {
  /**
   * Counts a login attempt for the name and the client IP before the password is checked, and
   * answers 429 past either limit. It never looks the name up, so the answer is the same whether
   * the user exists or not.
   */
  admit(login: string, clientIp: string): Promise<void>;
  /** A successful login: the name's failures are forgotten and the IP's attempt is not counted. */
  succeeded(login: string, clientIp: string, user: { username: string; email: string }): Promise<void>;
}

const loginKey = (login: string) => `login-failures:${login.trim().toLowerCase()}`;
const ipKey = (clientIp: string) => `login-ip:${clientIp}`;

const refused = (retryAfterSeconds: number) =>
  tooManyRequests('too many failed login attempts; retry later', retryAfterSeconds);

export function createLoginThrottle(limiter: RateLimiter, limits: LoginLimits): LoginThrottle {
  return {
    async admit(login, clientIp) {
      const byIp = await limiter.hit(ipKey(clientIp), {
        limit: limits.maxAttemptsPerIp,
        windowSeconds: limits.ipWindowSeconds,
      });
      if (!byIp.allowed) throw refused(byIp.retryAfterSeconds);
      const byLogin = await limiter.hit(loginKey(login), {
        limit: limits.maxFailures,
        windowSeconds: limits.failureWindowSeconds,
      });
      if (!byLogin.allowed) throw refused(byLogin.retryAfterSeconds);
    },
    async succeeded(login, clientIp, user) {
      await limiter.reset([...new Set([login, user.username, user.email].map(loginKey))]);
      await limiter.refund(ipKey(clientIp));
    },
  };
}
