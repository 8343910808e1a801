import { describe, expect, it } from 'vitest';
import { trimOldest } from './bounded-map.js';

describe('trimOldest', () => {
  it('leaves a map within its bound alone', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    trimOldest(map, 2);
    expect([...map.keys()]).toEqual(['a', 'b']);
  });

  it('drops the oldest entries down to 90% of the bound once it is passed', () => {
    const map = new Map<number, number>();
    for (let i = 0; i < 101; i++) map.set(i, i);
    map.delete(50);
    map.set(50, 50); // touched: now the newest
    trimOldest(map, 100);
    expect(map.size).toBe(90);
    expect(map.has(10)).toBe(false);
    expect(map.has(11)).toBe(true);
    expect(map.has(50)).toBe(true);
    expect([...map.keys()].at(-1)).toBe(50);
  });
});
