import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, ChatClient, type EventFrame, type SocketLike } from '../../client/src/index.js';
import { Session } from '../../client/src/session.js';

/**
 * A socket the test plays the server of: what the session does with frames, closes and silence,
 * where a real server cannot be made to misbehave on cue. (Everything else runs against the real
 * server: client.test.ts.)
 */
class ScriptedSocket implements SocketLike {
  static opened: ScriptedSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  constructor(readonly url: string) {
    ScriptedSocket.opened.push(this);
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.({});
    }, 1);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code = 1000, reason = '') {
    if (this.readyState === 3) return;
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code, reason }), 1);
  }
  frame(value: object) {
    this.onmessage?.({ data: JSON.stringify(value) });
  }
}

const until = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
};

const sent = (position: number, messageId = `m${position}`): EventFrame => ({
  type: 'message.sent',
  position: String(position),
  data: { conversationId: 'c', messageId, seq: position, senderId: 'u', body: 'hi', sentAt: '' },
});

function scriptedClient(fetchFn: typeof fetch = async () => new Response(null, { status: 503 })) {
  ScriptedSocket.opened = [];
  return new ChatClient({
    baseUrl: 'http://api.invalid',
    realtimeUrl: 'ws://rt.invalid',
    session: { accessToken: 'a1', refreshToken: 'r1', expiresAt: Date.now() + 3_600_000 },
    WebSocket: ScriptedSocket,
    fetch: fetchFn,
    retries: 0,
  });
}

let stopLater: (() => void) | undefined;
afterEach(() => stopLater?.());

describe('RealtimeSession', () => {
  it('delivers each position once, in order, across a reconnect that resumes with since', async () => {
    const client = scriptedClient();
    const live = client.realtime({ commandTimeoutMs: 200 });
    stopLater = () => live.stop();
    const positions: string[] = [];
    live.on('event', (frame) => positions.push(frame.position));
    await until(() => live.state === 'open', 'open');
    const first = ScriptedSocket.opened[0]!;
    expect(first.url).toBe('ws://rt.invalid/v1/realtime?access_token=a1');
    first.frame(sent(5));
    first.frame(sent(5));
    first.frame(sent(7));
    first.frame(sent(6));
    first.close(1006);
    await until(() => ScriptedSocket.opened.length === 2 && live.state === 'open', 'reconnect');
    const second = ScriptedSocket.opened[1]!;
    expect(second.url).toContain('since=7');
    second.frame(sent(7));
    second.frame(sent(8));
    expect(positions).toEqual(['5', '7', '8']);
    expect(live.position).toBe('8');
  });

  it('asks to reload on resync, and refreshes the token when the server closes for expiry', async () => {
    const refreshes: string[] = [];
    const client = scriptedClient(async (_url, init) => {
      refreshes.push(String(init?.body));
      return Response.json({
        access_token: 'a2',
        token_type: 'bearer',
        expires_in: 900,
        refresh_token: 'r2',
      });
    });
    const live = client.realtime();
    stopLater = () => live.stop();
    let resyncs = 0;
    live.on('resync', () => resyncs++);
    await until(() => live.state === 'open', 'open');
    ScriptedSocket.opened[0]!.frame({ type: 'resync' });
    expect(resyncs).toBe(1);
    ScriptedSocket.opened[0]!.close(4001, 'token expired');
    await until(() => ScriptedSocket.opened.length === 2, 'reconnect');
    expect(refreshes).toEqual([JSON.stringify({ refresh_token: 'r1' })]);
    expect(ScriptedSocket.opened[1]!.url).toContain('access_token=a2');
  });

  it('stops, rather than reconnect with the same token, when the server ends its session', async () => {
    const refreshes: string[] = [];
    const client = scriptedClient(async (_url, init) => {
      refreshes.push(String(init?.body));
      return Response.json({ type: 'about:blank', status: 401, title: 'Unauthorized' }, { status: 401 });
    });
    const live = client.realtime();
    stopLater = () => live.stop();
    await until(() => live.state === 'open', 'open');
    ScriptedSocket.opened[0]!.close(4002, 'session ended');
    await until(() => refreshes.length === 1, 'the refresh');
    await until(() => live.state === 'closed', 'stopped');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ScriptedSocket.opened).toHaveLength(1);
  });

  it('sends commands over the socket once the server answers them, and falls back to HTTP otherwise', async () => {
    const http: string[] = [];
    const client = scriptedClient(async (url, init) => {
      http.push(`${init?.method} ${String(url)}`);
      return Response.json({ messageId: 'm-http', conversationId: 'c', position: '9' }, { status: 201 });
    });
    const live = client.realtime({ commandTimeoutMs: 100 });
    stopLater = () => live.stop();
    await until(() => live.state === 'open', 'open');
    const socket = ScriptedSocket.opened[0]!;
    // The probe: a malformed command, which a server that takes commands answers with a 400.
    expect(socket.sent[0]).toEqual({ type: 'read', requestId: 'probe' });
    // No answer to the probe (an older server): straight to HTTP.
    expect((await client.send({ conversationId: 'c' }, 'one')).messageId).toBe('m-http');
    expect(socket.sent).toHaveLength(1);

    socket.frame({
      type: 'error',
      requestId: 'probe',
      status: 400,
      problem: { type: 'x', title: '', status: 400, detail: '' },
    });
    expect(live.acceptsCommands).toBe(true);
    // Acked over the socket.
    const acked = client.send({ to: 'bob' }, 'two', { clientMessageId: 'cm-2' });
    await until(() => socket.sent.length === 2, 'the send frame');
    const frame = socket.sent[1]!;
    expect(frame).toMatchObject({ type: 'send', to: 'bob', body: 'two', clientMessageId: 'cm-2' });
    socket.frame({
      type: 'ack',
      requestId: frame.requestId,
      data: { messageId: 'm-ws', conversationId: 'c', position: '10' },
    });
    expect((await acked).messageId).toBe('m-ws');
    expect(http).toHaveLength(1);

    // An error answer: HTTP decides, with the same clientMessageId.
    const refused = client.send({ to: 'bob' }, 'three', { clientMessageId: 'cm-3' });
    await until(() => socket.sent.length === 3, 'the third frame');
    socket.frame({
      type: 'error',
      requestId: socket.sent[2]!.requestId,
      status: 503,
      problem: { type: 'x', title: '', status: 503, detail: '' },
    });
    await refused;
    // No answer at all: HTTP after the timeout.
    await client.send({ to: 'bob' }, 'four');
    // The socket closes while a command waits: HTTP.
    const closing = client.send({ to: 'bob' }, 'five');
    await until(() => socket.sent.length === 5, 'the fifth frame');
    socket.close(1006);
    await closing;
    expect(http).toHaveLength(4);
    expect(http[0]).toBe('POST http://api.invalid/v1/conversations/c/messages');
    expect(http.slice(1).every((line) => line === 'POST http://api.invalid/v1/messages')).toBe(true);
  });
});

describe('Session', () => {
  it('runs one refresh however many requests need it, and forgets a refused session', async () => {
    let now = 0;
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const session = new Session(
      async () => {
        calls++;
        await gate;
        return {
          access_token: `a${calls + 1}`,
          token_type: 'bearer',
          expires_in: 900,
          refresh_token: `r${calls + 1}`,
        };
      },
      () => {},
      () => now,
    );
    session.set({ accessToken: 'a1', refreshToken: 'r1', expiresAt: 100_000 });
    expect(await session.accessToken()).toBe('a1');
    now = 80_000;
    const tokens = Promise.all(Array.from({ length: 10 }, () => session.accessToken()));
    release();
    expect(await tokens).toEqual(Array(10).fill('a2'));
    expect(calls).toBe(1);
    // A 401 for a token already replaced does not refresh again.
    expect(await session.accessToken('a1')).toBe('a2');
    expect(calls).toBe(1);

    const refused = new Session(
      async () => {
        throw new ApiError(401, { type: 'x', title: '', status: 401, detail: 'spent' });
      },
      () => {},
    );
    refused.set({ accessToken: 'a1', refreshToken: 'r1', expiresAt: 0 });
    await expect(refused.accessToken()).rejects.toThrow(ApiError);
    expect(refused.signedIn).toBe(false);
  });
});
