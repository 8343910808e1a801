import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs a generator module (compiled, next to this file) in its own process and returns its result. */
export function runInChild<Request, Result>(module: string, request: Request): Promise<Result> {
  const path = fileURLToPath(new URL(`./${module}.js`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = fork(path, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (message: { kind: string; result?: Result; error?: string }) => {
      if (message.kind === 'done') resolve(message.result as Result);
      if (message.kind === 'failed') reject(new Error(`${module}: ${message.error}`));
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${module} exited with ${code}`));
    });
    child.send(request as object);
  });
}
