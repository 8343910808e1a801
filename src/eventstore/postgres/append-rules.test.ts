import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors.js';
import type { ExpectedRevision, NewEvent } from '../port.js';
import { assertAppendable, checkExpectedRevision, matchStoredAppend } from './append-rules.js';

const event = (id: string = randomUUID()): NewEvent => ({ id, type: 'Tested', data: {} });

describe('checkExpectedRevision', () => {
  const cases: [ExpectedRevision, bigint | undefined, boolean][] = [
    ['any', undefined, true],
    ['any', 3n, true],
    ['no_stream', undefined, true],
    ['no_stream', 0n, false],
    ['stream_exists', undefined, false],
    ['stream_exists', 0n, true],
    [2n, 2n, true],
    [2n, 1n, false],
    [2n, 3n, false],
    [0n, undefined, false],
  ];
  it.each(cases)('expected %s, current %s: accepted %s', (expected, current, accepted) => {
    const check = () => checkExpectedRevision('s', expected, current);
    if (accepted) expect(check).not.toThrow();
    else expect(check).toThrow(WrongExpectedRevisionError);
  });

  it('reports the actual revision, or no_stream', () => {
    expect(() => checkExpectedRevision('s', 1n, undefined)).toThrow(
      expect.objectContaining({ streamName: 's', expected: 1n, actual: 'no_stream' }),
    );
    expect(() => checkExpectedRevision('s', 'no_stream', 4n)).toThrow(
      expect.objectContaining({ actual: 4n }),
    );
  });
});

describe('matchStoredAppend', () => {
  const [a, b, c] = [event(), event(), event()];
  const stored = [
    { id: a.id, revision: 4n, position: 10n },
    { id: b.id, revision: 5n, position: 11n },
  ];

  it('is a new append when none of the ids is stored', () => {
    expect(matchStoredAppend('s', [c], [])).toBeUndefined();
  });

  it('returns the original result for the same events in the same order', () => {
    expect(matchStoredAppend('s', [a, b], stored)).toEqual({ nextExpectedRevision: 5n, position: 11n });
    expect(matchStoredAppend('s', [event(a.id.toUpperCase()), b], stored)).toEqual({
      nextExpectedRevision: 5n,
      position: 11n,
    });
  });

  it('refuses ids re-used in another order, mixed with new ones, or not adjacent', () => {
    expect(() => matchStoredAppend('s', [b, a], [...stored])).toThrow(DuplicateEventIdError);
    expect(() => matchStoredAppend('s', [a, c], stored.slice(0, 1))).toThrow(DuplicateEventIdError);
    expect(() =>
      matchStoredAppend('s', [a, b], [stored[0]!, { id: b.id, revision: 7n, position: 20n }]),
    ).toThrow(DuplicateEventIdError);
  });
});

describe('assertAppendable', () => {
  it('accepts UUIDs in any case and refuses anything else', () => {
    expect(() => assertAppendable('s', [event(), event(randomUUID().toUpperCase())])).not.toThrow();
    expect(() => assertAppendable('s', [event('x')])).toThrow(TypeError);
    expect(() => assertAppendable('', [event()])).toThrow(TypeError);
  });

  it('refuses the same id twice in one append', () => {
    const id = randomUUID();
    expect(() => assertAppendable('s', [event(id), event(id.toUpperCase())])).toThrow(DuplicateEventIdError);
  });
});
