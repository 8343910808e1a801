import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 10_000 };

  it('doubles from the initial delay up to the cap, jittered within the upper half', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(50);
    expect(retryDelayMs(1, policy, () => 1)).toBe(100);
    expect(retryDelayMs(4, policy, () => 1)).toBe(800);
    expect(retryDelayMs(50, policy, () => 0)).toBe(5_000);
    expect(retryDelayMs(50, policy, () => 1)).toBe(10_000);
  });
});
