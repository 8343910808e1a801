import { describe, expect, it } from 'vitest';
import { toClientConnectionString } from './eventstoredb-event-store.js';

describe('toClientConnectionString', () => {
  it('rewrites the KurrentDB schemes to the ones this client knows', () => {
    expect(toClientConnectionString('kurrentdb://h:2113?tls=false')).toBe('esdb://h:2113?tls=false');
    expect(toClientConnectionString('kurrentdb+discover://a,b')).toBe('esdb+discover://a,b');
    expect(toClientConnectionString('esdb://admin:changeit@h:2113')).toBe('esdb://admin:changeit@h:2113');
  });
});
