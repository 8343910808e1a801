import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { TEST_JWT_SECRET } from '../../support/system.js';
import { eventually } from './eventually.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const VITE_NODE = fileURLToPath(new URL('../../../node_modules/vite-node/vite-node.mjs', import.meta.url));

/**
 * `main serve --roles realtime` as a child process (the TypeScript entry point through vite-node),
 * with its standard output and standard error kept apart.
 */
export class RealtimeChild {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  readonly #process: ChildProcess;

  private constructor(env: Record<string, string>) {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')),
    );
    this.#process = spawn(
      process.execPath,
      [VITE_NODE, 'src/main.ts', '--', 'serve', '--roles', 'realtime'],
      {
        cwd: ROOT,
        env: { ...inherited, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.#process.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.stdout.push(chunk));
    this.#process.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.stderr.push(chunk));
    this.exited = once(this.#process, 'exit').then(([code]) => code as number | null);
  }

  static async start(
    databaseUrl: string,
    port: number,
    env: Record<string, string> = {},
  ): Promise<RealtimeChild> {
    const child = new RealtimeChild({
      DATABASE_URL: databaseUrl,
      REALTIME_PORT: String(port),
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      SEND_RATE_PER_MINUTE: '0',
      ...env,
    });
    let exited = false;
    void child.exited.then(() => (exited = true));
    await eventually(
      async () => {
        if (exited) throw new Error(`the realtime child exited:\n${child.stderr.join('')}`);
        return portAccepts(port);
      },
      'the realtime child to accept connections',
      { timeoutMs: 30_000, intervalMs: 25 },
    );
    return child;
  }

  /** Lines of a stream, complete ones only. */
  lines(stream: 'stdout' | 'stderr'): string[] {
    return this[stream]
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '');
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.#process.exitCode === null && this.#process.signalCode === null) this.#process.kill(signal);
    return this.exited;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function portAccepts(target: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(target, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
