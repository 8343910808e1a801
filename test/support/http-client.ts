export interface HttpResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** A small JSON client for tests that drive the real HTTP server. */
export function httpClient(baseUrl: string) {
  async function request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: {
      body?: unknown;
      raw?: string;
      token?: string;
      headers?: Record<string, string>;
      form?: Record<string, string>;
    } = {},
  ): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.raw;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : undefined) as T,
    };
  }
  return {
    request,
    get: <T = Record<string, unknown>>(path: string, options?: Parameters<typeof request>[2]) =>
      request<T>('GET', path, options),
    post: <T = Record<string, unknown>>(
      path: string,
      body?: unknown,
      options?: Parameters<typeof request>[2],
    ) => request<T>('POST', path, { ...options, body }),
    delete: <T = Record<string, unknown>>(path: string, options?: Parameters<typeof request>[2]) =>
      request<T>('DELETE', path, options),
  };
}

export type HttpClient = ReturnType<typeof httpClient>;

/** Registers a user and logs in; returns its id and an access token. */
export async function signUp(
  http: HttpClient,
  username: string,
  password = 'correct horse battery',
): Promise<{ userId: string; username: string; token: string; refreshToken: string }> {
  const registered = await http.post('/v1/auth/register', {
    username,
    email: `${username}@example.com`,
    password,
  });
  if (registered.status !== 201)
    throw new Error(`register ${username}: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await http.post('/v1/auth/token', { username, password });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status}`);
  return {
    userId: registered.body.userId as string,
    username,
    token: login.body.access_token as string,
    refreshToken: login.body.refresh_token as string,
  };
}
