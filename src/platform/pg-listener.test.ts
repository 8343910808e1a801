import { EventEmitter } from 'node:events';
import type { Pool } from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { listenWithReconnect } from './pg-listener.js';

/** A client of the fake pool: records its statements and how it was let go. */
class FakeClient extends EventEmitter {
  readonly statements: string[] = [];
  released: unknown = undefined;
  constructor(private readonly failListen = false) {
    super();
  }
  async query(sql: string): Promise<void> {
    this.statements.push(sql);
    if (this.failListen) throw new Error('LISTEN refused');
  }
  release(how: unknown): void {
    this.released = how;
  }
  notify(channel: string, payload?: string): void {
    this.emit('notification', { channel, payload, processId: 1 });
  }
}

/** Hands out the given connections in turn (an Error: that connect fails). */
function fakePool(...connections: (FakeClient | Error)[]): Pool & { readonly handedOut: FakeClient[] } {
  const handedOut: FakeClient[] = [];
  const pool = {
    handedOut,
    async connect() {
      const next = connections.shift();
      if (next === undefined) throw new Error('no more connections');
      if (next instanceof Error) throw next;
      handedOut.push(next);
      return next;
    },
  };
  return pool as unknown as Pool & { readonly handedOut: FakeClient[] };
}

const fast = { initialDelayMs: 1, maxDelayMs: 2 };

describe('listenWithReconnect', () => {
  it('passes on the notifications of its channel only, and lets the connection go on close', async () => {
    const client = new FakeClient();
    const payloads: (string | undefined)[] = [];
    const listener = listenWithReconnect({
      pool: fakePool(client),
      channel: 'chan',
      onNotification: (payload) => payloads.push(payload),
    });
    await listener.started;
    expect(client.statements).toEqual(['LISTEN chan']);
    client.notify('chan', 'one');
    client.notify('other', 'two');
    client.notify('chan');
    expect(payloads).toEqual(['one', undefined]);
    await listener.close();
    expect(client.released).toBe(true);
  });

  it('listens again on a new connection when it loses one', async () => {
    const [first, second] = [new FakeClient(), new FakeClient()];
    const onListening = vi.fn();
    const lost: unknown[] = [];
    const listener = listenWithReconnect({
      pool: fakePool(first, second),
      channel: 'chan',
      onNotification: () => undefined,
      onListening,
      onLost: (error) => lost.push(error),
      retry: fast,
    });
    await listener.started;
    const broken = new Error('connection terminated');
    first.emit('error', broken);
    expect(first.released).toBe(broken);
    await vi.waitFor(() => expect(onListening).toHaveBeenCalledTimes(2));
    expect(lost).toEqual([broken]);
    expect(second.statements).toEqual(['LISTEN chan']);
    await listener.close();
    expect(second.released).toBe(true);
  });

  it('says the first attempt failed, and keeps trying until it listens', async () => {
    const refused = new FakeClient(true);
    const good = new FakeClient();
    const failures: [unknown, number][] = [];
    const onListening = vi.fn();
    const listener = listenWithReconnect({
      pool: fakePool(new Error('connection refused'), refused, good),
      channel: 'chan',
      onNotification: () => undefined,
      onListening,
      onFailure: (error, count) => failures.push([(error as Error).message, count]),
      retry: fast,
    });
    await expect(listener.started).rejects.toThrow('connection refused');
    await vi.waitFor(() => expect(onListening).toHaveBeenCalledTimes(1));
    expect(failures).toEqual([
      ['connection refused', 1],
      ['LISTEN refused', 2],
    ]);
    expect(refused.released).toBe(true);
    await listener.close();
  });

  it('stops trying once closed', async () => {
    const pool = fakePool(new Error('down'), new FakeClient());
    const listener = listenWithReconnect({
      pool,
      channel: 'chan',
      onNotification: () => undefined,
      retry: { initialDelayMs: 20, maxDelayMs: 20 },
    });
    await expect(listener.started).rejects.toThrow('down');
    await listener.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.handedOut).toEqual([]);
  });
});
