import { describe, expect, it } from 'vitest';
import { TypingLimiter } from './typing.js';

describe('TypingLimiter', () => {
  const limits = { perConversationMs: 2_000, maxPerWindow: 3, windowMs: 10_000 };

  it('lets one typing frame per conversation through per interval', () => {
    let now = 0;
    const limiter = new TypingLimiter(limits, () => now);
    expect(limiter.allow('a')).toBe(true);
    now = 1_999;
    expect(limiter.allow('a')).toBe(false);
    expect(limiter.allow('b')).toBe(true);
    now = 2_000;
    expect(limiter.allow('a')).toBe(true);
  });

  it('caps all conversations together per window, then starts afresh', () => {
    let now = 0;
    const limiter = new TypingLimiter(limits, () => now);
    expect(['a', 'b', 'c', 'd'].map((id) => limiter.allow(id))).toEqual([true, true, true, false]);
    now = 5_000;
    expect(limiter.allow('d')).toBe(false);
    now = 10_000;
    expect(['a', 'd'].map((id) => limiter.allow(id))).toEqual([true, true]);
  });

  it('does not count refused frames against the window', () => {
    const limiter = new TypingLimiter(limits, () => 0);
    for (let i = 0; i < 10; i += 1) limiter.allow('a');
    expect(['b', 'c', 'd'].map((id) => limiter.allow(id))).toEqual([true, true, false]);
  });
});
