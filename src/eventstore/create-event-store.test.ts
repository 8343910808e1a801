import { describe, expect, it } from 'vitest';
import { createEventStore } from './create-event-store.js';

describe('createEventStore', () => {
  it('refuses a URL whose scheme names no adapter, without leaking the credentials', async () => {
    await expect(createEventStore({ url: 'mysql://user:secret@host/db' })).rejects.toThrow(/"mysql:"/);
    await expect(createEventStore({ url: 'mysql://user:secret@host/db' })).rejects.not.toThrow(/secret/);
    await expect(createEventStore({ url: 'no scheme' })).rejects.toBeInstanceOf(TypeError);
  });

  it('chooses EventStoreDB for esdb:// and kurrentdb:// URLs (the client connects lazily)', async () => {
    for (const url of ['esdb://localhost:2113?tls=false', 'kurrentdb://localhost:2113?tls=false']) {
      const store = await createEventStore({ url });
      expect(store.constructor.name).toBe('EventStoreDbEventStore');
      await store.close();
    }
  });
});
