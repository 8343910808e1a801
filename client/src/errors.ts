import type { Problem } from './wire.js';

/** A refusal by the server: the HTTP status and its problem document (RFC 9457). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** Seconds the server asked to wait (`Retry-After`), for 429 and 503. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${status} ${problem.detail}`);
  }

  /** The last segment of the problem type, e.g. `not-a-member`. */
  get code(): string {
    return this.problem.type.split('/').pop() ?? '';
  }

  /** Whether the same request may succeed later unchanged (the server was busy or unreachable). */
  get retryable(): boolean {
    return this.status === 429 || this.status === 503;
  }
}

/** The server could not be reached (or the connection broke before an answer). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  readonly retryable = true;
}
