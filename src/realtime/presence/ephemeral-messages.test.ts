import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeEphemeral,
  encodeEphemeral,
  ephemeralFrame,
  MAX_PAYLOAD_BYTES,
  type EphemeralMessage,
} from './ephemeral-messages.js';

describe('encodeEphemeral', () => {
  it('sends a small audience in one payload that decodes to the same message', () => {
    const message: EphemeralMessage = { kind: 'presence', userId: 'u', online: true, to: ['a', 'b'] };
    const payloads = encodeEphemeral(message);
    expect(payloads).toHaveLength(1);
    expect(decodeEphemeral(payloads[0]!)).toEqual(message);
  });

  it('splits a large audience into payloads under the NOTIFY limit, each recipient once', () => {
    const to = Array.from({ length: 2000 }, () => randomUUID());
    const message: EphemeralMessage = { kind: 'typing', conversationId: randomUUID(), userId: 'u', to };
    const payloads = encodeEphemeral(message);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    const decoded = payloads.map((payload) => decodeEphemeral(payload));
    expect(decoded.flatMap((part) => part?.to ?? [])).toEqual(to);
    for (const part of decoded) expect(part).toMatchObject({ kind: 'typing', userId: 'u' });
  });

  it('counts bytes, not characters, and leaves out an id that could never fit', () => {
    const wide = 'é'.repeat(40);
    const payloads = encodeEphemeral(
      { kind: 'presence', userId: 'u', online: false, to: [wide, wide, 'x'.repeat(500)] },
      200,
    );
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(200);
    expect(payloads.flatMap((payload) => decodeEphemeral(payload)?.to ?? [])).toEqual([wide, wide]);
  });

  it('has nothing to send for nobody', () => {
    expect(encodeEphemeral({ kind: 'presence', userId: 'u', online: true, to: [] })).toEqual([]);
  });
});

describe('decodeEphemeral', () => {
  it.each([
    'not json',
    'null',
    '[]',
    '{"kind":"presence","userId":"u","to":["a"]}',
    '{"kind":"presence","userId":"u","online":"yes","to":["a"]}',
    '{"kind":"typing","userId":"u","to":["a"]}',
    '{"kind":"typing","userId":"u","conversationId":"c","to":[1]}',
    '{"kind":"other","userId":"u","to":[]}',
  ])('refuses %s', (payload) => {
    expect(decodeEphemeral(payload)).toBeUndefined();
  });
});

describe('ephemeralFrame', () => {
  it('gives the contract frames, without position or audience', () => {
    expect(
      JSON.parse(ephemeralFrame({ kind: 'presence', userId: 'u', online: true, to: ['a'] }).text),
    ).toEqual({
      type: 'presence',
      data: { userId: 'u', online: true },
    });
    expect(
      JSON.parse(ephemeralFrame({ kind: 'typing', conversationId: 'c', userId: 'u', to: ['a'] }).text),
    ).toEqual({ type: 'typing', data: { conversationId: 'c', userId: 'u' } });
  });
});
