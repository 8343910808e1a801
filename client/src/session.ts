import { ApiError } from './errors.js';
import type { Tokens } from './wire.js';

/** What a session keeps between page loads (the caller decides where: memory, localStorage…). */
export interface StoredSession {
  readonly accessToken: string;
  /** Epoch milliseconds after which the access token is no longer accepted. */
  readonly expiresAt: number;
  readonly refreshToken: string;
}

/** Refresh this long before the access token expires, so no request races its expiry. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * The tokens of one signed-in user. Refresh tokens are single use (each refresh rotates them), so
 * however many requests find the access token stale at once, exactly one refresh is in flight and
 * they all wait for it.
 */
export class Session {
  private current: StoredSession | undefined;
  private refreshing: Promise<string> | undefined;

  constructor(
    private readonly refresh: (refreshToken: string) => Promise<Tokens>,
    private readonly onChange: (session: StoredSession | undefined) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get signedIn(): boolean {
    return this.current !== undefined;
  }

  get stored(): StoredSession | undefined {
    return this.current;
  }

  /** Takes tokens from a login or a refresh (or a stored session). */
  set(tokens: Tokens | StoredSession | undefined): void {
    this.current =
      tokens === undefined
        ? undefined
        : 'access_token' in tokens
          ? {
              accessToken: tokens.access_token,
              expiresAt: this.now() + tokens.expires_in * 1000,
              refreshToken: tokens.refresh_token,
            }
          : tokens;
    this.onChange(this.current);
  }

  /**
   * A usable access token, refreshing first if it is (about to be) stale. `rejected` is a token the
   * server has just answered 401 to: refresh unless it has been replaced meanwhile.
   */
  async accessToken(rejected?: string): Promise<string> {
    const current = this.current;
    if (!current) throw notSignedIn();
    const stale = current.expiresAt - EXPIRY_MARGIN_MS <= this.now();
    if (rejected !== undefined ? rejected !== current.accessToken : !stale) return current.accessToken;
    this.refreshing ??= this.rotate(current).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async rotate(from: StoredSession): Promise<string> {
    try {
      const tokens = await this.refresh(from.refreshToken);
      // Signed out meanwhile: do not bring the session back.
      if (this.current?.refreshToken !== from.refreshToken) throw notSignedIn();
      this.set(tokens);
      return tokens.access_token;
    } catch (error) {
      // A refresh token the server refuses is spent for good: the user must log in again.
      if (error instanceof ApiError && error.status === 401 && this.current === from) this.set(undefined);
      throw error;
    }
  }
}

const notSignedIn = () =>
  new ApiError(401, {
    type: 'https://chat-backend.dev/problems/not-signed-in',
    title: 'Unauthorized',
    status: 401,
    detail: 'not signed in',
  });
