// Long because one session owns the socket, its reconnects, resume positions, pings and socket commands.
import { ApiError } from './errors.js';
import { backoffDelay, randomId } from './ids.js';
import type { EventFrame, PresenceFrame, ServerFrame, SocketCommand, TypingFrame } from './wire.js';

/** The part of the WebSocket interface the session uses: the browser's, or the `ws` package's. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type SocketConstructor = new (url: string) => SocketLike;

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface RealtimeOptions {
  /** Resume after this position (the last one you processed, e.g. kept across a reload). */
  readonly since?: string;
  /** How long a command waits for its ack before HTTP takes over. Default 5000 ms. */
  readonly commandTimeoutMs?: number;
  /** How often to ping; a socket silent for twice this long is taken for dead. Default 20000 ms. */
  readonly pingIntervalMs?: number;
}

interface Listeners {
  event: (frame: EventFrame) => void;
  presence: (data: PresenceFrame['data']) => void;
  typing: (data: TypingFrame['data']) => void;
  /** The server could not replay the gap: reload state over HTTP. */
  resync: () => void;
  state: (state: ConnectionState) => void;
}

const OPEN = 1;
const TOKEN_EXPIRED = 4001;
/** The session ended (logged out, password changed) or the user was erased: a refresh decides. */
const SESSION_ENDED = 4002;
const UNKNOWN_USER = 4003;
const NEEDS_NEW_TOKEN = new Set([TOKEN_EXPIRED, SESSION_ENDED, UNKNOWN_USER]);
/** A malformed command: a server that takes commands answers it with an error, an older one says nothing. */
const PROBE_ID = 'probe';

interface Pending {
  resolve(data: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One user's live connection: reconnects with backoff, resumes with `since` from the last
 * position it delivered, never delivers a position twice, tells you to reload on `resync`, and
 * carries commands with `requestId` acks.
 */
export class RealtimeSession {
  private socket: SocketLike | undefined;
  private lastPosition: bigint | undefined;
  private attempt = 0;
  private stopRequested = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private commandsAccepted = false;
  private currentToken: string | undefined;
  private refuseToken = false;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners: { [K in keyof Listeners]: Set<Listeners[K]> } = {
    event: new Set(),
    presence: new Set(),
    typing: new Set(),
    resync: new Set(),
    state: new Set(),
  };
  private lastTyping = new Map<string, number>();
  state: ConnectionState = 'closed';

  constructor(
    private readonly options: RealtimeOptions & {
      readonly url: string;
      readonly token: (rejected?: string) => Promise<string>;
      readonly WebSocket: SocketConstructor;
    },
  ) {
    if (options.since !== undefined) this.lastPosition = BigInt(options.since);
  }

  /** The position of the last event delivered: resume from it (keep it across reloads if you like). */
  get position(): string | undefined {
    return this.lastPosition?.toString();
  }

  get stopped(): boolean {
    return this.stopRequested;
  }

  /** Whether commands can go over the socket now (open, and the server answers them). */
  get acceptsCommands(): boolean {
    return this.state === 'open' && this.commandsAccepted;
  }

  on<K extends keyof Listeners>(type: K, listener: Listeners[K]): () => void {
    this.listeners[type].add(listener);
    return () => this.listeners[type].delete(listener);
  }

  start(): void {
    this.stopRequested = false;
    void this.connect();
  }

  stop(): void {
    this.stopRequested = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, 'bye');
    this.closed();
  }

  /** Says you are typing in a conversation (at most every 2 s per conversation; the server limits too). */
  typing(conversationId: string): void {
    const now = Date.now();
    if ((this.lastTyping.get(conversationId) ?? 0) > now - 2000) return;
    this.lastTyping.set(conversationId, now);
    this.sendFrame({ type: 'typing', conversationId });
  }

  /** Runs a command over the socket; rejects on an error answer, no answer in time, or a close. */
  command(command: SocketCommand): Promise<unknown> {
    const requestId = randomId();
    return new Promise((resolve, reject) => {
      if (!this.sendFrame({ ...command, requestId })) {
        reject(new Error('the socket is not open'));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error('no answer over the socket'));
      }, this.options.commandTimeoutMs ?? 5000);
      this.pending.set(requestId, { resolve, reject, timer });
    });
  }

  private sendFrame(frame: object): boolean {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.listeners.state) listener(state);
  }

  private async connect(): Promise<void> {
    if (this.stopRequested) return;
    this.setState('connecting');
    let token: string;
    try {
      // After an expiry close or a refused upgrade, ask for a fresh token.
      token = await this.options.token(this.refuseToken ? this.currentToken : undefined);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        // Signed out, or the session was revoked: nothing to reconnect with.
        this.stop();
        return;
      }
      this.scheduleReconnect();
      return;
    }
    if (this.stopRequested) return;
    this.currentToken = token;
    this.refuseToken = false;
    const since = this.lastPosition !== undefined ? `&since=${this.lastPosition}` : '';
    const socket = new this.options.WebSocket(
      `${this.options.url}?access_token=${encodeURIComponent(token)}${since}`,
    );
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.lastHeard = Date.now();
      this.commandsAccepted = false;
      this.setState('open');
      this.probeCommands();
      this.startPinging(socket);
    };
    socket.onmessage = (event) => {
      this.lastHeard = Date.now();
      const text = typeof event.data === 'string' ? event.data : String(event.data);
      let frame: ServerFrame;
      try {
        frame = JSON.parse(text) as ServerFrame;
      } catch {
        return;
      }
      this.handle(frame);
    };
    socket.onerror = () => {
      // A close always follows; it decides what happens next.
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      // An upgrade refused before opening may be an expired token (the 401 is not visible to a browser).
      if (NEEDS_NEW_TOKEN.has(event.code) || (!opened && this.attempt >= 1)) this.refuseToken = true;
      this.closed();
      if (!this.stopRequested) this.scheduleReconnect();
    };
  }

  private closed(): void {
    clearInterval(this.pingTimer);
    this.commandsAccepted = false;
    for (const [requestId, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error('the socket closed before the answer'));
      this.pending.delete(requestId);
    }
    this.setState(this.stopRequested ? 'closed' : 'connecting');
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), backoffDelay(this.attempt++, 200, 10_000));
  }

  private startPinging(socket: SocketLike): void {
    const interval = this.options.pingIntervalMs ?? 20_000;
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > interval * 2) {
        socket.close(4000, 'no answer to pings');
        return;
      }
      this.sendFrame({ type: 'ping' });
    }, interval);
  }

  /** Asks with a malformed command whether this server takes commands over the socket. */
  private probeCommands(): void {
    this.sendFrame({ type: 'read', requestId: PROBE_ID });
  }

  private handle(frame: ServerFrame): void {
    switch (frame.type) {
      case 'ack':
      case 'error': {
        // The probe's 400 says this node runs commands (a node that takes none answers 503).
        if (frame.type === 'ack' || frame.requestId !== PROBE_ID || frame.status === 400)
          this.commandsAccepted = true;
        const pending = this.pending.get(frame.requestId);
        if (!pending) return;
        this.pending.delete(frame.requestId);
        clearTimeout(pending.timer);
        if (frame.type === 'ack') pending.resolve(frame.data);
        else pending.reject(new ApiError(frame.status, frame.problem));
        return;
      }
      case 'presence':
        for (const listener of this.listeners.presence) listener(frame.data);
        return;
      case 'typing':
        for (const listener of this.listeners.typing) listener(frame.data);
        return;
      case 'resync':
        for (const listener of this.listeners.resync) listener();
        return;
      case 'pong':
        return;
      default: {
        if (typeof frame.position !== 'string' || !/^[0-9]+$/.test(frame.position)) return;
        const position = BigInt(frame.position);
        // Seen already (a replay overlapping what arrived live, or a duplicate): drop it.
        if (this.lastPosition !== undefined && position <= this.lastPosition) return;
        this.lastPosition = position;
        for (const listener of this.listeners.event) listener(frame);
      }
    }
  }
}
