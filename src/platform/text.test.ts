import { describe, expect, it } from 'vitest';
import { findNonFiniteNumber, findUnstorableText } from './text.js';

describe('finding what a request may not hold', () => {
  it('names the first string with NUL or an unpaired surrogate, key or value, at any depth', () => {
    expect(findUnstorableText({ a: ['ok', { b: 'x\u0000' }] })).toBe('/a/1/b');
    expect(findUnstorableText({ ['k\ud800']: 1 })).toBe('/k?');
    expect(findUnstorableText('\udc00')).toBe('/');
    expect(findUnstorableText({ a: '😀', b: [1, null, true] })).toBeUndefined();
  });

  it('names a number that is not finite, and copes with very deep nesting', () => {
    expect(findNonFiniteNumber({ limit: Infinity })).toBe('/limit');
    let deep: unknown = Number.NaN;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(findNonFiniteNumber(deep)).toMatch(/^(\/a){100000}$/);
    expect(findUnstorableText(deep)).toBeUndefined();
  });
});
