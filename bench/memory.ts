import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { signUp } from './support/client.js';
import { withDatabase } from './support/database.js';
import { countFrames, type FrameCounter } from './support/frame-counter.js';

const USERS = 100;
const CONNECTIONS_PER_USER = Number(process.env.BENCH_CONNECTIONS_PER_USER ?? 20);

function ask<T>(child: ChildProcess, command: object, answer: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { kind: string; error?: string }) => {
      if (message.kind === answer) {
        child.off('message', onMessage);
        resolve(message as T);
      } else if (message.kind === 'failed') reject(new Error(message.error));
    };
    child.on('message', onMessage);
    child.send(command);
  });
}

/** Resident memory of the system process per idle authenticated WebSocket. */
export async function memory(): Promise<void> {
  const connections = USERS * CONNECTIONS_PER_USER;
  console.log(
    `\n# memory: ${connections} idle authenticated WebSockets (${USERS} users × ${CONNECTIONS_PER_USER})`,
  );
  const perConnection = await withDatabase('bench_memory', async (databaseUrl) => {
    const child = fork(fileURLToPath(new URL('./support/system-process.js', import.meta.url)), [], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const sockets: FrameCounter[] = [];
    try {
      const { httpPort, realtimePort } = await ask<{ httpPort: number; realtimePort: number }>(
        child,
        { kind: 'start', databaseUrl },
        'started',
      );
      const pool = new Pool(`http://127.0.0.1:${httpPort}`, { connections: 8 });
      const users = [];
      for (let i = 0; i < USERS; i++) users.push(await signUp(pool, `m${i}_${Date.now().toString(36)}`));
      await pool.close();
      // One connection each first, so that per-user state is in the baseline, not in the figure.
      for (const user of users)
        sockets.push(
          await countFrames(realtimePort, `/v1/realtime?access_token=${user.token}`, () => undefined),
        );
      const before = (await ask<{ rss: number }>(child, { kind: 'memory' }, 'memory')).rss;
      for (let round = 1; round < CONNECTIONS_PER_USER; round++) {
        for (const user of users) {
          sockets.push(
            await countFrames(realtimePort, `/v1/realtime?access_token=${user.token}`, () => undefined),
          );
        }
      }
      const after = (await ask<{ rss: number }>(child, { kind: 'memory' }, 'memory')).rss;
      const added = sockets.length - USERS;
      console.log(
        `system RSS ${(before / 2 ** 20).toFixed(1)} MiB with ${USERS} sockets, ${(after / 2 ** 20).toFixed(1)} MiB with ${sockets.length}`,
      );
      return (after - before) / added;
    } finally {
      for (const socket of sockets) socket.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ kind: 'stop' });
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      child.kill();
    }
  });
  console.log(`per idle connection: ${(perConnection / 1024).toFixed(2)} KiB`);
}
