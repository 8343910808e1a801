import { ApiError, NetworkError } from './errors.js';
import { backoffDelay, sleep } from './ids.js';
import type { Problem } from './wire.js';

export interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Send the bearer token (and refresh it once on a 401). Default true. */
  readonly auth?: boolean;
  /** Retry a network failure, 429 or 503 this many times with backoff: only for requests safe to repeat. */
  readonly retries?: number;
}

export interface HttpAnswer<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** How a request finds its bearer token: the current one, or a new one after `rejected` got a 401. */
export type TokenSource = (rejected?: string) => Promise<string>;

/** Problem documents for what the server did not say itself. */
function localProblem(status: number, detail: string): Problem {
  return { type: 'about:blank', title: 'Error', status, detail };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One JSON request; throws ApiError for 4xx/5xx and NetworkError when no answer came. */
export async function requestOnce<T>(
  fetchFn: typeof fetch,
  url: string,
  method: string,
  options: RequestOptions,
  token: string | undefined,
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetchFn(url, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  } catch (error) {
    throw new NetworkError(`${method} ${url}: ${String(error)}`, { cause: error });
  }
  const body = await readBody(response);
  if (response.ok) return { status: response.status, body: body as T, headers: response.headers };
  const problem =
    body && typeof body === 'object' && 'status' in body
      ? (body as Problem)
      : localProblem(response.status, typeof body === 'string' ? body.slice(0, 200) : response.statusText);
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new ApiError(response.status, problem, Number.isFinite(retryAfter) ? retryAfter : undefined);
}

/** A request with the token handling and retries `options` ask for. */
export async function request<T>(
  fetchFn: typeof fetch,
  url: string,
  method: string,
  options: RequestOptions,
  token: TokenSource | undefined,
): Promise<HttpAnswer<T>> {
  const retries = options.retries ?? 0;
  for (let attempt = 0; ; attempt++) {
    const bearer = options.auth !== false && token ? await token() : undefined;
    try {
      return await requestOnce<T>(fetchFn, url, method, options, bearer);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && bearer !== undefined && token) {
        // The token was refused (expired early, or the clock is off): refresh once and retry.
        return requestOnce<T>(fetchFn, url, method, options, await token(bearer));
      }
      const retryable = error instanceof NetworkError || (error instanceof ApiError && error.retryable);
      if (!retryable || attempt >= retries) throw error;
      const asked = error instanceof ApiError ? (error.retryAfterSeconds ?? 0) * 1000 : 0;
      await sleep(Math.max(Math.min(asked, 10_000), backoffDelay(attempt)));
    }
  }
}
