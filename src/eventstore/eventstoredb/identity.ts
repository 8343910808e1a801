import { randomUUID } from 'node:crypto';
import { NO_STREAM, WrongExpectedVersionError, type EventStoreDBClient } from '@eventstore/db-client';
import type { StoreIdentity } from '../port.js';
import { translateClientError } from './esdb-errors.js';

/**
 * The store's id lives in the metadata of a stream that holds no events: a `$metadata` event in
 * `$$chat-store-identity`, which readers of the log skip as a system event. Written once, with
 * `no_stream`, by whichever process asks first; it is as old as the data and goes with it, so a
 * server wiped and restarted at the same address is a new store, and the same data reached at
 * another address is the same one.
 */
export const IDENTITY_STREAM = 'chat-store-identity';
const KEY = 'chatStoreId';

async function readStoreId(client: EventStoreDBClient): Promise<string | undefined> {
  const { metadata } = await client.getStreamMetadata(IDENTITY_STREAM);
  const id = metadata?.[KEY];
  return typeof id === 'string' ? id : undefined;
}

export async function storeIdentity(client: EventStoreDBClient): Promise<StoreIdentity> {
  try {
    let id = await readStoreId(client);
    if (id === undefined) {
      try {
        await client.setStreamMetadata(
          IDENTITY_STREAM,
          { [KEY]: randomUUID() },
          { expectedRevision: NO_STREAM },
        );
      } catch (error) {
        // Another process wrote it first: theirs stands.
        if (!(error instanceof WrongExpectedVersionError)) throw error;
      }
      id = await readStoreId(client);
    }
    if (id === undefined) throw new Error(`the metadata of ${IDENTITY_STREAM} holds no ${KEY}`);
    return { kind: 'eventstoredb', id };
  } catch (error) {
    throw translateClientError(error, { streamName: IDENTITY_STREAM });
  }
}
