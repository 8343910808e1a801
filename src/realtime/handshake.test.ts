import { describe, expect, it } from 'vitest';
import { accessToken, parseSince } from './handshake.js';

describe('parseSince', () => {
  it('accepts absence and non-negative decimal integers of any size', () => {
    expect(parseSince(undefined)).toEqual({ ok: true, since: undefined });
    expect(parseSince('0')).toEqual({ ok: true, since: 0n });
    expect(parseSince('0042')).toEqual({ ok: true, since: 42n });
    expect(parseSince('99999999999999999999')).toEqual({ ok: true, since: 99999999999999999999n });
  });

  it.each(['', '-1', '+1', '1.0', '1e3', '0x1f', ' 1', '1 ', 'abc'])('refuses %j', (raw) => {
    expect(parseSince(raw)).toEqual({ ok: false });
  });
});

describe('accessToken', () => {
  it('takes a Bearer header first, else the query token', () => {
    expect(accessToken('Bearer abc.def.ghi', 'query')).toBe('abc.def.ghi');
    expect(accessToken('bearer   abc', undefined)).toBe('abc');
    expect(accessToken('', 'query')).toBe('query');
  });

  it('finds no token in a header of another scheme, an empty header value or an empty query', () => {
    expect(accessToken('Basic abc', 'query')).toBeUndefined();
    expect(accessToken('Bearer ', 'query')).toBeUndefined();
    expect(accessToken('Bearer a b', undefined)).toBeUndefined();
    expect(accessToken('', '')).toBeUndefined();
    expect(accessToken('', undefined)).toBeUndefined();
  });
});
