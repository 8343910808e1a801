import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { catalogCodec, eventDefinitions } from './catalog.js';
import { eventCodec } from './event-codec.js';
import { defineEvent } from './event-definition.js';

const registeredV1 = {
  userId: 'u1',
  username: 'ada',
  email: 'ada@example.com',
  displayName: 'Ada',
  passwordHash: '$2b$04$hash',
  registeredAt: '2026-01-01T00:00:00.000Z',
};

describe('the event catalog', () => {
  it('defines every event type once, each with an upcaster per older version', () => {
    const types = eventDefinitions.map((definition) => definition.type);
    expect(new Set(types).size).toBe(types.length);
    for (const definition of eventDefinitions) {
      expect(definition.upcasters.length, definition.type).toBe(definition.version - 1);
    }
  });

  it('reads a version 1 registration as the current version', () => {
    const decoded = catalogCodec.decode('UserRegistered', registeredV1, 1);
    expect(decoded).toEqual({
      event: { type: 'UserRegistered', data: { ...registeredV1, messagePolicy: 'everyone' } },
    });
  });

  it('reads current data as it is, without copying it', () => {
    const data = { ...registeredV1, messagePolicy: 'contacts' };
    const decoded = catalogCodec.decode('UserRegistered', data, 2);
    expect('event' in decoded && decoded.event.data).toBe(data);
  });

  it('refuses unknown types, unknown versions and data that fails its schema, saying why', () => {
    expect(catalogCodec.decode('UserRenamed', {}, 1)).toEqual({ refused: 'unknown event type UserRenamed' });
    expect(catalogCodec.decode('UserRegistered', registeredV1, 3)).toMatchObject({ refused: /no version 3/ });
    expect(catalogCodec.decode('UserRegistered', registeredV1, 0)).toMatchObject({ refused: /no version 0/ });
    expect(catalogCodec.decode('ContactAdded', { ownerId: 'a', contactId: 'b' }, 1)).toMatchObject({
      refused: /addedAt/,
    });
    expect(catalogCodec.decode('ContactAdded', 'not an object', 1)).toMatchObject({
      refused: /ContactAdded/,
    });
  });

  it('refuses to store an event that does not match its current schema', () => {
    expect(() =>
      catalogCodec.check({
        type: 'ContactAdded',
        data: { ownerId: 'a', contactId: 'b', addedAt: 3 },
      } as never),
    ).toThrow(TypeError);
    expect(() =>
      catalogCodec.check({ type: 'ContactAdded', data: { ownerId: 'a', contactId: 'b', addedAt: 'now' } }),
    ).not.toThrow();
  });
});

describe('an upcaster chain', () => {
  const renamed = defineEvent('ThingNamed', Type.Object({ fullName: Type.String(), source: Type.String() }), [
    (v1) => ({ fullName: v1.name }), // v1 → v2: the field was renamed
    (v2) => ({ ...v2, source: 'unknown' }), // v2 → v3: a source is now recorded
  ]);
  const codec = eventCodec([renamed]);

  it('runs every step from the stored version to the current one, in order', () => {
    expect(renamed.version).toBe(3);
    expect(codec.decode('ThingNamed', { name: 'x' }, 1)).toEqual({
      event: { type: 'ThingNamed', data: { fullName: 'x', source: 'unknown' } },
    });
    expect(codec.decode('ThingNamed', { fullName: 'y' }, 2)).toEqual({
      event: { type: 'ThingNamed', data: { fullName: 'y', source: 'unknown' } },
    });
    expect(codec.decode('ThingNamed', { fullName: 'z', source: 'import' }, 3)).toEqual({
      event: { type: 'ThingNamed', data: { fullName: 'z', source: 'import' } },
    });
  });

  it('refuses a type defined twice', () => {
    expect(() => eventCodec([renamed, renamed])).toThrow(/defined twice/);
  });
});
