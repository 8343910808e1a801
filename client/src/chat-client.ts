// Long because it is the whole REST surface of the API, one short method per route.
import { request, type RequestOptions } from './http.js';
import { randomId } from './ids.js';
import { RealtimeSession, type RealtimeOptions, type SocketConstructor } from './realtime.js';
import { Session, type StoredSession } from './session.js';
import type {
  Account,
  Contact,
  Conversation,
  Message,
  Page,
  PositionResult,
  SendResult,
  SocketCommand,
  Tokens,
  UserSummary,
} from './wire.js';

export interface ChatClientOptions {
  /** The HTTP API, e.g. `http://localhost:3000`; `''` for the page's own origin. */
  readonly baseUrl: string;
  /** The WebSocket server, e.g. `ws://localhost:3001`; by default the API's host on port 3001. */
  readonly realtimeUrl?: string;
  /** A session kept from before (a reload); see `onSessionChange`. */
  readonly session?: StoredSession;
  /** Called whenever the tokens change (login, refresh, logout), e.g. to keep them in storage. */
  readonly onSessionChange?: (session: StoredSession | undefined) => void;
  readonly fetch?: typeof fetch;
  /** Where `WebSocket` is not global (Node 20): e.g. the `ws` package's class. */
  readonly WebSocket?: SocketConstructor;
  /** How many times a send (and any GET) is retried on a network failure, 429 or 503. Default 6. */
  readonly retries?: number;
}

export interface SendOptions {
  /** Your id for this message; the same id again never makes a second message. Default: a new UUID. */
  readonly clientMessageId?: string;
}

/** A chat client: accounts, tokens, every REST call, and (with `realtime()`) the live socket. */
export class ChatClient {
  readonly session: Session;
  private readonly fetchFn: typeof fetch;
  private readonly retries: number;
  private live: RealtimeSession | undefined;
  /** The newest log position this client's own commands wrote: queries wait for it (read-your-writes). */
  private written: bigint | undefined;

  constructor(private readonly options: ChatClientOptions) {
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.retries = options.retries ?? 6;
    this.session = new Session(
      async (refreshToken) =>
        (
          await this.call<Tokens>('POST', '/v1/auth/refresh', {
            body: { refresh_token: refreshToken },
            auth: false,
          })
        ).body,
      (session) => options.onSessionChange?.(session),
    );
    if (options.session) this.session.set(options.session);
  }

  get realtimeUrl(): string {
    if (this.options.realtimeUrl) return this.options.realtimeUrl;
    const here = (globalThis as { location?: { href: string } }).location?.href;
    const base = new URL(this.options.baseUrl || here || 'http://localhost:3000');
    return `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.hostname}:3001`;
  }

  /** A JSON request to the API; answers the body, throws ApiError or NetworkError. */
  async call<T>(method: string, path: string, options: RequestOptions = {}) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) query.set(key, String(value));
    }
    const search = query.toString();
    const url = `${this.options.baseUrl}${path}${search ? `?${search}` : ''}`;
    const headers = { ...options.headers };
    if (method === 'GET' && this.written !== undefined) headers['x-min-position'] = this.written.toString();
    const answer = await request<T>(
      this.fetchFn,
      url,
      method,
      { ...options, headers, retries: options.retries ?? (method === 'GET' ? this.retries : 0) },
      options.auth === false ? undefined : (rejected) => this.session.accessToken(rejected),
    );
    const body = answer.body as { position?: unknown } | undefined;
    this.wrote(typeof body?.position === 'string' ? body.position : answer.headers.get('x-position'));
    return answer;
  }

  private wrote(position: string | null | undefined): void {
    if (!position || !/^[0-9]+$/.test(position)) return;
    const value = BigInt(position);
    if (this.written === undefined || value > this.written) this.written = value;
  }

  // Accounts and tokens.

  async register(account: { username: string; email: string; password: string; displayName?: string }) {
    return (
      await this.call<{ userId: string; username: string; position: string }>('POST', '/v1/auth/register', {
        body: account,
        auth: false,
      })
    ).body;
  }

  /** Logs in: the session holds the tokens from now on and refreshes them as needed. */
  async login(username: string, password: string): Promise<void> {
    const tokens = await this.call<Tokens>('POST', '/v1/auth/token', {
      body: { username, password },
      auth: false,
    });
    this.session.set(tokens.body);
  }

  /** Registers and logs in. */
  async signUp(account: { username: string; email: string; password: string; displayName?: string }) {
    const registered = await this.register(account);
    await this.login(account.username, account.password);
    return registered;
  }

  /** Revokes the session on the server and forgets it here; closes the socket. */
  async logout(): Promise<void> {
    const refreshToken = this.session.stored?.refreshToken;
    this.live?.stop();
    this.session.set(undefined);
    if (refreshToken) {
      await this.call('POST', '/v1/auth/logout', { body: { refresh_token: refreshToken }, auth: false });
    }
  }

  async verifyEmail(email: string, code: string) {
    return (
      await this.call<{ userId: string; emailVerified: true }>('POST', '/v1/auth/verify-email', {
        body: { email, code },
        auth: false,
      })
    ).body;
  }

  async resendVerification(email: string): Promise<void> {
    await this.call('POST', '/v1/auth/resend-verification', { body: { email }, auth: false });
  }

  async me(): Promise<Account> {
    return (await this.call<Account>('GET', '/v1/me')).body;
  }

  async updateMe(change: { displayName?: string; messagePolicy?: 'everyone' | 'contacts' }) {
    return (
      await this.call<Account & { messagePolicy: 'everyone' | 'contacts' }>('PATCH', '/v1/me', {
        body: change,
      })
    ).body;
  }

  async searchUsers(query: string, limit?: number): Promise<UserSummary[]> {
    return (await this.call<{ items: UserSummary[] }>('GET', '/v1/users', { query: { query, limit } })).body
      .items;
  }

  // Contacts and blocks.

  async contacts(): Promise<Contact[]> {
    return (await this.call<{ items: Contact[] }>('GET', '/v1/contacts')).body.items;
  }

  async addContact(who: { username: string } | { userId: string }) {
    return (await this.call<{ userId: string; username: string }>('POST', '/v1/contacts', { body: who }))
      .body;
  }

  async removeContact(userId: string): Promise<void> {
    await this.call('DELETE', `/v1/contacts/${encodeURIComponent(userId)}`);
  }

  async block(userId: string): Promise<void> {
    await this.call('POST', '/v1/blocks', { body: { userId } });
  }

  async unblock(userId: string): Promise<void> {
    await this.call('DELETE', `/v1/blocks/${encodeURIComponent(userId)}`);
  }

  // Conversations and messages.

  async conversations(page: { limit?: number; cursor?: string } = {}): Promise<Page<Conversation>> {
    return (await this.call<Page<Conversation>>('GET', '/v1/conversations', { query: page })).body;
  }

  /** History, newest first; pass the previous page's `nextCursor` as `before` for older ones. */
  async messages(
    conversationId: string,
    page: { limit?: number; before?: string } = {},
  ): Promise<Page<Message>> {
    return (
      await this.call<Page<Message>>('GET', `/v1/conversations/${conversationId}/messages`, { query: page })
    ).body;
  }

  async createGroup(title: string, memberIds: string[]) {
    return (
      await this.call<{ conversationId: string; position: string }>('POST', '/v1/conversations', {
        body: { title, memberIds },
      })
    ).body;
  }

  async addMember(conversationId: string, userId: string): Promise<void> {
    await this.call('POST', `/v1/conversations/${conversationId}/members`, { body: { userId } });
  }

  async removeMember(conversationId: string, userId: string): Promise<void> {
    await this.call('DELETE', `/v1/conversations/${conversationId}/members/${userId}`);
  }

  /**
   * Sends a message to a user (`to`: username or id) or into a conversation. Over the socket when
   * one is open and the server takes commands there, else (or when it answers nothing, an error,
   * or closes) over HTTP; retried on failures with the same `clientMessageId`, so it lands once.
   */
  async send(
    target: { to: string } | { conversationId: string },
    body: string,
    options: SendOptions = {},
  ): Promise<SendResult> {
    const clientMessageId = options.clientMessageId ?? randomId();
    const viaSocket = await this.overSocket<SendResult>({ type: 'send', ...target, body, clientMessageId });
    if (viaSocket) return viaSocket;
    const path = 'to' in target ? '/v1/messages' : `/v1/conversations/${target.conversationId}/messages`;
    const payload = 'to' in target ? { to: target.to, body, clientMessageId } : { body, clientMessageId };
    return (await this.call<SendResult>('POST', path, { body: payload, retries: this.retries })).body;
  }

  async editMessage(conversationId: string, messageId: string, body: string): Promise<PositionResult> {
    const viaSocket = await this.overSocket<PositionResult>({
      type: 'edit',
      conversationId,
      messageId,
      body,
    });
    if (viaSocket) return viaSocket;
    return (
      await this.call<PositionResult>('PATCH', `/v1/conversations/${conversationId}/messages/${messageId}`, {
        body: { body },
      })
    ).body;
  }

  async deleteMessage(conversationId: string, messageId: string): Promise<PositionResult> {
    const viaSocket = await this.overSocket<PositionResult>({ type: 'delete', conversationId, messageId });
    if (viaSocket) return viaSocket;
    return (
      await this.call<PositionResult>('DELETE', `/v1/conversations/${conversationId}/messages/${messageId}`)
    ).body;
  }

  /** Marks the conversation read up to `messageId` (`private`: only your own devices see it). */
  async markRead(
    conversationId: string,
    messageId: string,
    options: { private?: boolean } = {},
  ): Promise<void> {
    const command = {
      type: 'read' as const,
      conversationId,
      messageId,
      ...(options.private ? { private: true } : {}),
    };
    if (await this.overSocket(command)) return;
    await this.call('POST', `/v1/conversations/${conversationId}/read`, {
      body: { messageId, ...(options.private ? { private: true } : {}) },
      retries: this.retries,
    });
  }

  /** The live socket of this client: starts it on first call (see RealtimeSession). */
  realtime(options: RealtimeOptions = {}): RealtimeSession {
    if (!this.live || this.live.stopped) {
      const Socket = this.options.WebSocket ?? (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
      if (!Socket) throw new Error('no WebSocket here: pass one (e.g. the ws package) as options.WebSocket');
      this.live = new RealtimeSession({
        url: `${this.realtimeUrl}/v1/realtime`,
        token: (rejected) => this.session.accessToken(rejected),
        WebSocket: Socket,
        ...options,
      });
      this.live.start();
    }
    return this.live;
  }

  /** The command's answer over the socket, or undefined when HTTP must do it. */
  private async overSocket<T>(command: SocketCommand): Promise<T | undefined> {
    if (!this.live?.acceptsCommands) return undefined;
    try {
      const data = (await this.live.command(command)) as T;
      this.wrote((data as { position?: string } | undefined)?.position);
      return data;
    } catch {
      // No answer, an error, or the socket closed: HTTP decides (same rules; sends are idempotent).
      return undefined;
    }
  }
}
