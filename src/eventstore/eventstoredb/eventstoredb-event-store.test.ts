import { describe, expect, it } from 'vitest';
import { createEventStoreDbEventStore, toClientConnectionString } from './eventstoredb-event-store.js';

describe('toClientConnectionString', () => {
  it('rewrites the KurrentDB schemes to the ones this client knows', () => {
    expect(toClientConnectionString('kurrentdb://h:2113?tls=false')).toBe('esdb://h:2113?tls=false');
    expect(toClientConnectionString('kurrentdb+discover://a,b')).toBe('esdb+discover://a,b');
    expect(toClientConnectionString('esdb://admin:changeit@h:2113')).toBe('esdb://admin:changeit@h:2113');
  });
});

describe('createEventStoreDbEventStore', () => {
  it('refuses throwOnAppendFailure=false, under which conflicts would come back as results', async () => {
    for (const option of ['throwOnAppendFailure=false', 'ThrowOnAppendFailure=false']) {
      await expect(
        createEventStoreDbEventStore({ connectionString: `esdb://admin:secret@h:2113?tls=false&${option}` }),
      ).rejects.toThrow(/throwOnAppendFailure=false/);
    }
    const store = await createEventStoreDbEventStore({
      connectionString: 'esdb://h:2113?tls=false&throwOnAppendFailure=true',
    });
    await store.close();
  });
});
