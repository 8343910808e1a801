/** How long to wait before the next attempt after failures: doubling from the initial delay, capped. */
export interface RetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** Exponential backoff with jitter on the upper half, so many processes do not retry in step. */
export function retryDelayMs(
  failures: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
