import { createServer } from 'node:net';
import WebSocket from 'ws';
import { ChatClient, type EventFrame, type SocketConstructor } from '../../client/src/index.js';

/** Node 20 has no global WebSocket; the `ws` package has the same interface. */
export const NodeWebSocket =
  (globalThis as { WebSocket?: SocketConstructor }).WebSocket ?? (WebSocket as unknown as SocketConstructor);

/** A port nothing listens on now, so a system can be restarted on the same one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function clientFor(httpPort: number, realtimePort: number, options: { fetch?: typeof fetch } = {}) {
  return new ChatClient({
    baseUrl: `http://127.0.0.1:${httpPort}`,
    realtimeUrl: `ws://127.0.0.1:${realtimePort}`,
    WebSocket: NodeWebSocket,
    ...options,
  });
}

export async function eventually<T>(
  probe: () => T | undefined | false,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The bodies of the message.sent frames a list of frames holds, in order. */
export const sentBodies = (frames: readonly EventFrame[]) =>
  frames.flatMap((frame) => (frame.type === 'message.sent' ? [frame.data.body] : []));
