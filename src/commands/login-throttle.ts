import type { LoginLimits } from '../platform/config.js';
import { tooManyRequests } from '../http/problems.js';
import type { RateLimiter } from '../platform/rate-limiter.js';

export interface LoginThrottle {
  /**
   * Counts a login attempt before the password is checked, and answers 429 past a limit. The
   * answer is the same whether the user exists or not.
   */
  admit(login: string, clientIp: string): Promise<void>;
  /** A successful login: its failures are forgotten and the address becomes a usual one. */
  succeeded(clientIp: string, user: { userId: string }): Promise<void>;
}

/** How long an address a user logged in from counts as theirs. */
const USUAL_ADDRESS_SECONDS = 30 * 24 * 3600;

const refused = (retryAfterSeconds: number) =>
  tooManyRequests('too many failed login attempts; retry later', retryAfterSeconds);

/*
 * Guesses are bounded per account (username and email are one account) and per address, so that
 * nobody can lock a user out from somewhere else:
 * - from an address the user logged in from before (a usual address), only the failures from
 *   that address count against them there: `maxFailures` per window;
 * - from any other address, the account's failures from all such addresses together count
 *   (`maxFailures` per window), and so do the address's failures whatever the accounts
 *   (`maxAttemptsPerIp`, credential spraying).
 * An attacker can then exhaust only the allowance of unusual addresses: the user keeps logging in
 * from their usual ones. A login that succeeds is not counted. A name nobody has is an account
 * of its own, so that unknown users are answered exactly as known ones.
 */
export function createLoginThrottle(
  limiter: RateLimiter,
  limits: LoginLimits,
  /** The account a login (username or email) names, if any. */
  accountOf: (login: string) => Promise<string | undefined>,
): LoginThrottle {
  const account = async (login: string) =>
    (await accountOf(login)) ?? `unknown:${login.trim().toLowerCase()}`;
  const accountRule = { limit: limits.maxFailures, windowSeconds: limits.failureWindowSeconds };
  const ipRule = { limit: limits.maxAttemptsPerIp, windowSeconds: limits.ipWindowSeconds };
  const keys = (id: string, clientIp: string) => ({
    usual: `login-usual:${id}:${clientIp}`,
    fromHere: `login-failures:${id}:${clientIp}`,
    fromElsewhere: `login-failures:${id}`,
    address: `login-ip:${clientIp}`,
  });

  return {
    async admit(login, clientIp) {
      const key = keys(await account(login), clientIp);
      if (await limiter.isMarked(key.usual)) {
        const here = await limiter.hit(key.fromHere, accountRule);
        if (!here.allowed) throw refused(here.retryAfterSeconds);
        return;
      }
      const address = await limiter.hit(key.address, ipRule);
      if (!address.allowed) throw refused(address.retryAfterSeconds);
      const elsewhere = await limiter.hit(key.fromElsewhere, accountRule);
      if (!elsewhere.allowed) throw refused(elsewhere.retryAfterSeconds);
    },
    async succeeded(clientIp, user) {
      const key = keys(user.userId, clientIp);
      const wasUsual = await limiter.isMarked(key.usual);
      await limiter.reset([key.fromHere]);
      if (!wasUsual) {
        await limiter.refund(key.address);
        await limiter.refund(key.fromElsewhere);
      }
      await limiter.mark(key.usual, USUAL_ADDRESS_SECONDS);
    },
  };
}
