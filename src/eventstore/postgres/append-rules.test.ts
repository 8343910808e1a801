import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DuplicateEventIdError } from '../errors.js';
import type { NewEvent } from '../port.js';
import { encodeAppend } from './append-rules.js';

const event = (id: string = randomUUID(), data: NewEvent['data'] = {}): NewEvent => ({
  id,
  type: 'Tested',
  data,
});

describe('encodeAppend', () => {
  it('accepts UUIDs in any case and refuses anything else', () => {
    expect(() => encodeAppend('s', [event(), event(randomUUID().toUpperCase())], 'any')).not.toThrow();
    expect(() => encodeAppend('s', [event('x')], 'any')).toThrow(TypeError);
    expect(() => encodeAppend('', [event()], 'any')).toThrow(TypeError);
  });

  it('refuses the same id twice in one append', () => {
    const id = randomUUID();
    expect(() => encodeAppend('s', [event(id), event(id.toUpperCase())], 'any')).toThrow(
      DuplicateEventIdError,
    );
  });

  it('serialises each event once, in order', () => {
    const [a, b] = [event(randomUUID(), { n: 1 }), event(randomUUID(), { text: 'ü😀' })];
    expect(encodeAppend('s', [a, b], 3n)).toEqual({
      streamName: 's',
      expectedRevision: 3n,
      ids: [a.id, b.id],
      types: ['Tested', 'Tested'],
      datas: ['{"n":1}', '{"text":"ü😀"}'],
      metadatas: ['{}', '{}'],
      sealingKeys: [],
    });
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', '\udc00'],
    ['a high surrogate at the end', 'abc\udbff'],
  ])('refuses %s in data, metadata, type or stream name', (_, text) => {
    expect(() => encodeAppend('s', [event(randomUUID(), { text })], 'any')).toThrow(TypeError);
    expect(() => encodeAppend('s', [event(randomUUID(), { [text]: 1 })], 'any')).toThrow(TypeError);
    expect(() => encodeAppend('s', [{ ...event(), metadata: { correlationId: text } }], 'any')).toThrow(
      TypeError,
    );
    expect(() => encodeAppend('s', [{ ...event(), type: text }], 'any')).toThrow(TypeError);
    expect(() => encodeAppend(text, [event()], 'any')).toThrow(TypeError);
  });

  it('accepts text that only looks like an escape', () => {
    for (const text of ['\\u0000', '\\\\ud800', 'back\\slash', '\ud83d\ude00']) {
      expect(() => encodeAppend('s', [event(randomUUID(), { text })], 'any')).not.toThrow();
    }
  });
});
