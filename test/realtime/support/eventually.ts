import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves once `condition` holds, checking every `intervalMs`: for state that no event announces
 * (database rows, a port that starts accepting). Rejects with `what` after `timeoutMs`.
 */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 15_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}
