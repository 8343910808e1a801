import { describe, expect, it } from 'vitest';
import { batches } from './batches.js';

async function* source(items: number[], pauseAfter: number) {
  for (const item of items) {
    if (item === pauseAfter + 1) await new Promise((resolve) => setTimeout(resolve, 20));
    yield item;
  }
}

describe('batches', () => {
  it('yields what is ready as one batch, splits at the maximum and at a wait', async () => {
    const seen: number[][] = [];
    for await (const batch of batches(source([1, 2, 3, 4, 5, 6, 7], 5), 3)) seen.push(batch);
    expect(seen.flat()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen[0]).toEqual([1, 2, 3]);
    expect(seen.every((batch) => batch.length <= 3)).toBe(true);
    // 6 arrives only after a pause, so it cannot share a batch with 5.
    expect(seen.find((batch) => batch.includes(5))).not.toContain(6);
  });
});
