import type { Pool } from 'undici';
import WebSocket from 'ws';

/** What the load generators use of the public API: JSON over a keep-alive pool, and sockets. */

const PASSWORD = 'correct-horse-battery-staple';

export interface BenchUser {
  readonly userId: string;
  readonly username: string;
  readonly token: string;
}

export async function postJson(
  pool: Pool,
  path: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await pool.request({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function signUp(pool: Pool, username: string): Promise<BenchUser> {
  const registered = await postJson(pool, '/v1/auth/register', {
    username,
    email: `${username}@bench.example`,
    password: PASSWORD,
  });
  if (registered.status !== 201) throw new Error(`register ${username}: ${registered.status}`);
  const login = await postJson(pool, '/v1/auth/token', { username, password: PASSWORD });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status}`);
  return { userId: String(registered.body.userId), username, token: String(login.body.access_token) };
}

const SENT = Buffer.from('"type":"message.sent"');
const CLIENT_ID = Buffer.from('"clientMessageId":"');

/**
 * A socket that hands each `message.sent` frame's clientMessageId to `onSent`. The frames are
 * searched rather than parsed: at 100,000 frames a second, parsing them would make the client,
 * not the server, the bottleneck.
 */
export function listen(
  realtimePort: number,
  token: string,
  onSent: (clientMessageId: string) => void,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${realtimePort}/v1/realtime?access_token=${token}`);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.on('message', (raw: Buffer) => {
      const id = clientMessageIdOf(raw);
      if (id !== undefined) onSent(id);
    });
  });
}

const ACK = Buffer.from('"type":"ack"');
const ERROR = Buffer.from('"type":"error"');
const REQUEST_ID = Buffer.from('"requestId":"');

export interface SocketSender {
  /** Sends a command frame; resolves with 'ok' on its ack, else the error's status. */
  send(requestId: string, frame: string): Promise<string>;
  close(): void;
}

/** A WebSocket for sending commands, matching each answer to its request by requestId. */
export function socketSender(realtimePort: number, token: string): Promise<SocketSender> {
  const pending = new Map<string, (outcome: string) => void>();
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${realtimePort}/v1/realtime?access_token=${token}`);
    socket.once('error', reject);
    socket.on('close', () => {
      for (const settle of pending.values()) settle('closed');
      pending.clear();
    });
    socket.on('message', (raw: Buffer) => {
      const ok = raw.indexOf(ACK) >= 0;
      if (!ok && raw.indexOf(ERROR) < 0) return;
      const start = raw.indexOf(REQUEST_ID) + REQUEST_ID.length;
      const requestId = raw.toString('latin1', start, raw.indexOf(0x22, start));
      const settle = pending.get(requestId);
      if (!settle) return;
      pending.delete(requestId);
      settle(ok ? 'ok' : String((JSON.parse(raw.toString('utf8')) as { status?: number }).status));
    });
    socket.once('open', () =>
      resolve({
        send: (requestId, frame) =>
          new Promise((settle) => {
            pending.set(requestId, settle);
            socket.send(frame);
          }),
        close: () => socket.close(),
      }),
    );
  });
}

/** The clientMessageId of a `message.sent` frame, found without parsing the frame. */
export function clientMessageIdOf(frame: Buffer): string | undefined {
  if (frame.indexOf(SENT) < 0) return undefined;
  const start = frame.indexOf(CLIENT_ID);
  if (start < 0) return undefined;
  const from = start + CLIENT_ID.length;
  return frame.toString('latin1', from, frame.indexOf(0x22, from));
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Runs `run` on the request the parent process sends, and sends back its result. */
export function serveParent<Request, Result>(run: (request: Request) => Promise<Result>): void {
  process.once('message', (request: Request) => {
    run(request).then(
      (result) => process.send?.({ kind: 'done', result }, () => process.exit(0)),
      (error: unknown) => process.send?.({ kind: 'failed', error: String(error) }, () => process.exit(1)),
    );
  });
}
