import type { AllStreamResolvedEvent } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { isReadable, isSystemEvent, positionOf, toRecordedEvent } from './recorded-event.js';

const created = new Date('2024-01-02T03:04:05Z');

function resolved(
  overrides: { type?: string; data?: unknown; commit?: bigint; streamId?: string } = {},
): AllStreamResolvedEvent {
  const commit = overrides.commit ?? 42n;
  return {
    commitPosition: commit,
    event: {
      streamId: overrides.streamId ?? 'user-1',
      id: '6f1c2d9e-8a4b-4c1d-9e2f-0a1b2c3d4e5f',
      isJson: true,
      revision: 3n,
      type: overrides.type ?? 'UserRegistered',
      created,
      data: (overrides.data ?? { name: 'ada' }) as Record<string, unknown>,
      metadata: { correlationId: 'c-1' },
      position: { commit, prepare: commit },
    },
  };
}

describe('EventStoreDB recorded events', () => {
  it('maps a $all event to the port shape, with the commit position as the global position', () => {
    expect(toRecordedEvent(resolved())).toEqual({
      id: '6f1c2d9e-8a4b-4c1d-9e2f-0a1b2c3d4e5f',
      streamName: 'user-1',
      revision: 3n,
      position: 42n,
      type: 'UserRegistered',
      data: { name: 'ada' },
      metadata: { correlationId: 'c-1' },
      createdAt: created,
    });
  });

  it('treats $-prefixed types and anything in a $-prefixed stream as system events', () => {
    expect(isSystemEvent(resolved({ type: '$metadata' }))).toBe(true);
    expect(isSystemEvent(resolved({ streamId: '$scavenges', type: 'ScavengeStarted' }))).toBe(true);
    expect(isSystemEvent(resolved({ streamId: '$$user-1', type: 'Anything' }))).toBe(true);
    expect(isSystemEvent(resolved())).toBe(false);
  });

  it('reads "no position" markers as unknown', () => {
    expect(positionOf(resolved({ commit: 2n ** 64n - 1n }))).toBeUndefined();
    expect(toRecordedEvent(resolved({ commit: 2n ** 64n - 1n })).position).toBe(-1n);
  });

  it('refuses data that is not a JSON object (readers of the log skip it first)', () => {
    expect(isReadable(resolved({ data: [1, 2] }))).toBe(false);
    expect(isReadable(resolved())).toBe(true);
    expect(() => toRecordedEvent(resolved({ data: [1, 2] }))).toThrow(/not a JSON object/);
  });
});
