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
  parentPort.on('message', ({ op, password, hash, rounds }) => {
    try {
      const result = op === 'hash' ? bcrypt.hashSync(password, rounds) : bcrypt.compareSync(password, hash);
      parentPort.postMessage({ result });
    } catch (error) {
      parentPort.postMessage({ error: String(error && error.message || error) });
    }
  });
  parentPort.postMessage({ ready: true });
});
`;

type Lane = 'verify' | 'hash';
type Job = {
  readonly message: object;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
};

/** The hashing queue is full: the caller answers 503 with Retry-After. */
export class PasswordHasherBusyError extends Error {
  override readonly name = 'PasswordHasherBusyError';
  constructor() {
    super('password hashing is busy; retry shortly');
  }
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Jobs waiting per lane beyond the ones running, before new ones are refused. */
const DEFAULT_MAX_WAITING: Readonly<Record<Lane, number>> = { verify: 64, hash: 16 };

/**
 * Each worker runs one job at a time; waiting jobs queue here, in two bounded lanes. Logins
 * (verify) are served before sign-ups and password changes (hash), so a flood of registrations
 * cannot stall logins, and either lane refuses work past its bound instead of growing.
 */
export function createPasswordHasher(options: {
  rounds: number;
  threads?: number;
  maxWaiting?: Partial<Record<Lane, number>>;
}): PasswordHasher {
  const bcryptUrl = pathToFileURL(createRequire(import.meta.url).resolve('bcryptjs')).href;
  const threads = Math.max(1, options.threads ?? 2);
  const maxWaiting = { ...DEFAULT_MAX_WAITING, ...options.maxWaiting };
  const waiting: Record<Lane, Job[]> = { verify: [], hash: [] };
  const idle: Worker[] = [];
  const running = new Map<Worker, Job>();
  const workers: Worker[] = [];
  let closed = false;

  function dispatch(): void {
    while (idle.length > 0) {
      const job = waiting.verify.shift() ?? waiting.hash.shift();
      if (!job) return;
      const worker = idle.pop()!;
      running.set(worker, job);
      worker.postMessage(job.message);
    }
  }

  for (let i = 0; i < threads; i++) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptUrl } });
    workers.push(worker);
    worker.unref();
    worker.on('message', (message: { ready?: boolean; result?: unknown; error?: string }) => {
      if (!message.ready) {
        const job = running.get(worker);
        running.delete(worker);
        if (message.error !== undefined) job?.reject(new Error(message.error));
        else job?.resolve(message.result);
      }
      idle.push(worker);
      dispatch();
    });
    worker.on('error', (error) => {
      running.get(worker)?.reject(error);
      running.delete(worker);
    });
  }

  function run<T>(lane: Lane, message: object): Promise<T> {
    if (closed) return Promise.reject(new Error('password hasher is closed'));
    if (waiting[lane].length >= maxWaiting[lane]) return Promise.reject(new PasswordHasherBusyError());
    return new Promise<T>((resolve, reject) => {
      waiting[lane].push({ message, resolve: resolve as (value: unknown) => void, reject });
      dispatch();
    });
  }

  return {
    hash: (password) => run<string>('hash', { op: 'hash', password, rounds: options.rounds }),
    verify: (password, hash) => run<boolean>('verify', { op: 'verify', password, hash }),
    async close() {
      closed = true;
      for (const job of [...waiting.verify, ...waiting.hash])
        job.reject(new Error('password hasher is closed'));
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
