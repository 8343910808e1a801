import { EventStoreDBClient } from '@eventstore/db-client';
import { describe, it } from 'vitest';
import { createEventStore } from '../../src/eventstore/create-event-store.js';
import { toClientConnectionString } from '../../src/eventstore/eventstoredb/eventstoredb-event-store.js';
import { describeEventStoreConformance } from './conformance.js';

/** Overridable so CI can pin or pre-pull another KurrentDB / EventStoreDB image. */
const IMAGE = process.env.ESDB_IMAGE ?? 'eventstore/eventstore:24.10';

type Target =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'docker' }
  | { readonly kind: 'none'; readonly why: string };

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 200);
}

async function findTarget(): Promise<Target> {
  const url = process.env.ESDB_URL;
  if (url) return { kind: 'url', url };
  const unreachable = 'ESDB_URL is not set and no Docker engine is reachable';
  let getContainerRuntimeClient: () => Promise<unknown>;
  try {
    ({ getContainerRuntimeClient } = await import('testcontainers'));
  } catch (error) {
    return { kind: 'none', why: `${unreachable} (testcontainers could not load: ${oneLine(error)})` };
  }
  try {
    await getContainerRuntimeClient();
    return { kind: 'docker' };
  } catch (error) {
    return { kind: 'none', why: `${unreachable} (${oneLine(error)})` };
  }
}

const target = await findTarget();

if (target.kind === 'none') {
  console.log(`EventStoreDB conformance skipped: ${target.why}`);
  describe.skip('EventStore conformance: EventStoreDB', () => {
    it('needs ESDB_URL or a Docker engine', () => undefined);
  });
} else {
  /** The store, and a client of its own for what the port cannot do (delete a stream). */
  const subjectAt = async (url: string, stop: () => Promise<void> = async () => undefined) => {
    const store = await createEventStore({ url });
    const admin = EventStoreDBClient.connectionString(toClientConnectionString(url));
    return {
      store,
      deleteStream: async (streamName: string) => {
        await admin.tombstoneStream(streamName);
      },
      async cleanup() {
        await store.close();
        await admin.dispose();
        await stop();
      },
    };
  };

  describeEventStoreConformance(
    'EventStoreDB',
    async () => {
      if (target.kind === 'url') return subjectAt(target.url);
      // testcontainers 11 (the last line that loads on Node 20) has no KurrentDB module: a plain
      // container, insecure single node, ready once its HTTP health endpoint answers.
      const { GenericContainer, Wait } = await import('testcontainers');
      const container = await new GenericContainer(IMAGE)
        .withEnvironment({
          EVENTSTORE_INSECURE: 'true',
          EVENTSTORE_RUN_PROJECTIONS: 'None',
          KURRENTDB_INSECURE: 'true',
        })
        .withExposedPorts(2113)
        .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
        .start();
      const url = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
      return subjectAt(url, async () => {
        await container.stop();
      });
    },
    { deletesStreams: true },
  );
}
