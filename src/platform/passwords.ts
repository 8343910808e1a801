import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * bcrypt is CPU-bound for tens of milliseconds per call, so it runs on worker threads and never
 * on the event loop. The worker source is inline (and loads bcryptjs by absolute URL) so that it
 * runs the same from TypeScript sources under the test runner and from the compiled build.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.bcryptUrl).then((module) => {
  const bcrypt = module.default ?? module;
  parentPort.on('message', ({ id, op, password, hash, rounds }) => {
    try {
      const result = op === 'hash' ? bcrypt.hashSync(password, rounds) : bcrypt.compareSync(password, hash);
      parentPort.postMessage({ id, result });
    } catch (error) {
      parentPort.postMessage({ id, error: String(error && error.message || error) });
    }
  });
  parentPort.postMessage({ ready: true });
});
`;

type Job = { id: number; resolve: (value: unknown) => void; reject: (error: Error) => void };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  close(): Promise<void>;
}

export function createPasswordHasher(options: { rounds: number; threads?: number }): PasswordHasher {
  const bcryptUrl = pathToFileURL(createRequire(import.meta.url).resolve('bcryptjs')).href;
  const threads = Math.max(1, options.threads ?? 2);
  const pending = new Map<number, Job>();
  let nextId = 0;
  let closed = false;
  const workers = Array.from({ length: threads }, () => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptUrl } });
    worker.unref();
    worker.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
      if (message.id === undefined) return;
      const job = pending.get(message.id);
      if (!job) return;
      pending.delete(message.id);
      if (message.error !== undefined) job.reject(new Error(message.error));
      else job.resolve(message.result);
    });
    worker.on('error', (error) => {
      for (const job of pending.values()) job.reject(error);
      pending.clear();
    });
    return worker;
  });
  // Small bounded round robin: jobs queue inside each worker's message port.
  let turn = 0;
  function run<T>(message: object): Promise<T> {
    if (closed) return Promise.reject(new Error('password hasher is closed'));
    const id = nextId++;
    const worker = workers[turn++ % workers.length]!;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { id, resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, ...message });
    });
  }
  return {
    hash: (password) => run<string>({ op: 'hash', password, rounds: options.rounds }),
    verify: (password, hash) => run<boolean>({ op: 'verify', password, hash }),
    async close() {
      closed = true;
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
