import { setTimeout as sleep } from 'node:timers/promises';
import { checkpointPositions } from '../../src/read-models/checkpoints.js';
import type { RunningSystem } from '../../src/system.js';

/** The first defined value `find` returns, polled; rejects naming `what` after `timeoutMs`. */
export async function eventually<T>(
  find: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Resolves once every projection has applied the log up to its current head. */
export async function projectionsAtHead(system: Pick<RunningSystem, 'store' | 'pool'>): Promise<void> {
  const head = await system.store.headPosition();
  await eventually(async () => {
    const positions = await checkpointPositions(system.pool);
    return [...positions.values()].every((position) => position >= head) ? true : undefined;
  }, `projections at position ${head}`);
}

/** The value of one sample in a Prometheus text exposition, or undefined when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2] === undefined ? [] : match[2].split(',');
    if (wanted.every((label) => present.includes(label))) return Number(match[3]);
  }
  return undefined;
}
