import type { Socket } from 'node:net';
import WebSocket from 'ws';

export interface ServerFrame {
  readonly type: string;
  readonly position?: string;
  readonly data?: Record<string, unknown>;
}

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

type Waiter = { readonly ready: () => boolean; readonly resolve: () => void };

/** A `ws` client that records every frame and the close, and can wait for a condition on them. */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  closedWith: Closed | undefined;
  #waiters: Waiter[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw: Buffer) => {
      this.frames.push(JSON.parse(raw.toString('utf8')) as ServerFrame);
      this.#wake();
    });
    socket.on('close', (code: number, reason: Buffer) => {
      this.closedWith = { code, reason: reason.toString('utf8') };
      this.#wake();
    });
    // A reset after a server-side drop surfaces as an error before the close; the close is what counts.
    socket.on('error', () => undefined);
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      const client = new TestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused with ${response.statusCode}`)),
      );
      socket.once('error', reject);
    });
  }

  /** Frames that carry a position, as bigints, in arrival order. */
  positions(): bigint[] {
    return this.frames.flatMap((frame) => (frame.position === undefined ? [] : [BigInt(frame.position)]));
  }

  /** Data `n` of the test frames received, in arrival order. */
  numbers(): number[] {
    return this.frames.flatMap((frame) => (typeof frame.data?.n === 'number' ? [frame.data.n] : []));
  }

  /** Stops reading from the TCP socket (the kernel buffers fill, then the server's). */
  pauseReading(): void {
    this.#tcp().pause();
  }

  resumeReading(): void {
    this.#tcp().resume();
  }

  #tcp(): Socket {
    // `ws` keeps its TCP socket in a private field; reading it is the only way to stop reading.
    return (this.socket as unknown as { _socket: Socket })._socket;
  }

  send(value: unknown): void {
    this.socket.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** Resolves once `ready()` holds (checked now and after every frame or close). */
  until(ready: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== entry);
        reject(
          new Error(
            `timed out waiting for ${what}; got ${this.frames.length} frames, closed: ${JSON.stringify(this.closedWith)}`,
          ),
        );
      }, timeoutMs);
      const entry: Waiter = {
        ready,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.#waiters.push(entry);
    });
  }

  /** The first recorded or future frame that matches. */
  async next(match: (frame: ServerFrame) => boolean, what = 'a matching frame'): Promise<ServerFrame> {
    await this.untilFrame(match, what);
    return this.frames.find(match)!;
  }

  untilFrame(match: (frame: ServerFrame) => boolean, what: string): Promise<void> {
    return this.until(() => this.frames.some(match), what);
  }

  async untilClosed(): Promise<Closed> {
    await this.until(() => this.closedWith !== undefined, 'the close');
    return this.closedWith as Closed;
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    if (this.socket.readyState !== WebSocket.CLOSING) this.socket.close();
    await this.untilClosed();
  }

  #wake(): void {
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.ready()) return true;
      waiter.resolve();
      return false;
    });
  }
}

/** Opens an upgrade that the server is expected to refuse; resolves with the HTTP answer. */
export function refusedUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], body });
        socket.terminate();
      });
    });
    socket.once('error', (error) => reject(error));
  });
}

/** The realtime endpoint of a node on this machine, authenticated by query, optionally resuming. */
export const realtimeUrl = (port: number, token: string, since?: string) =>
  `ws://127.0.0.1:${port}/v1/realtime?access_token=${encodeURIComponent(token)}${since ? `&since=${since}` : ''}`;
