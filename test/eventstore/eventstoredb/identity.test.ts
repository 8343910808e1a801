import { WrongExpectedVersionError } from '@eventstore/db-client';
import { describe, expect, it, vi } from 'vitest';
import { IDENTITY_STREAM, storeIdentity } from '../../../src/eventstore/eventstoredb/identity.js';
import { asClient } from './fake-client.js';

/** A server whose identity stream's metadata is `stored` (a `$metadata` event in `$$chat-store-identity`). */
function serverWith(stored: Record<string, unknown> | undefined) {
  let metadata = stored;
  const setStreamMetadata = vi.fn(
    async (streamName: string, written: Record<string, unknown>, _options: unknown) => {
      expect(streamName).toBe(IDENTITY_STREAM);
      metadata = written;
    },
  );
  const client = asClient({
    getStreamMetadata: async (streamName: string) => ({ streamName, ...(metadata ? { metadata } : {}) }),
    setStreamMetadata,
  });
  return { client, setStreamMetadata };
}

describe('the EventStoreDB store identity', () => {
  it('is created once, with no_stream, and read back ever after', async () => {
    const server = serverWith(undefined);
    const identity = await storeIdentity(server.client);
    expect(identity.kind).toBe('eventstoredb');
    expect(identity.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.setStreamMetadata.mock.calls[0]?.[2]).toEqual({ expectedRevision: 'no_stream' });
    expect(await storeIdentity(server.client)).toEqual(identity);
    expect(server.setStreamMetadata).toHaveBeenCalledTimes(1);
  });

  it('is the one another process wrote first when both try', async () => {
    const theirs = { chatStoreId: '0b5f0f0e-1d2c-4b3a-8f7e-6d5c4b3a2f1e' };
    let written = false;
    const client = asClient({
      getStreamMetadata: async (streamName: string) => ({
        streamName,
        ...(written ? { metadata: theirs } : {}),
      }),
      // Theirs lands between our read and our write: ours is refused by no_stream.
      setStreamMetadata: async () => {
        written = true;
        throw new WrongExpectedVersionError(undefined, {
          streamName: `$$${IDENTITY_STREAM}`,
          current: 0n,
          expected: 'no_stream',
        });
      },
    });
    expect(await storeIdentity(client)).toEqual({ kind: 'eventstoredb', id: theirs.chatStoreId });
  });
});
