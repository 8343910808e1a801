import { PassThrough } from 'node:stream';
import {
  END,
  START,
  type AllStreamResolvedEvent,
  type EventStoreDBClient,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { GRPC, clientError } from './client-errors.js';

/** A record of the fake server's log: positions are byte offsets, records RECORD_SIZE long. */
export interface LogRecord {
  readonly position: bigint;
  readonly streamId: string;
  readonly type: string;
  readonly id?: string;
  readonly revision?: bigint;
  /** Binary data instead of JSON. */
  readonly binary?: boolean;
  readonly data?: Record<string, unknown>;
}

export const RECORD_SIZE = 100n;

export function resolved(record: LogRecord): AllStreamResolvedEvent & ResolvedEvent {
  const event = {
    streamId: record.streamId,
    id: record.id ?? '6f1c2d9e-8a4b-4c1d-9e2f-0a1b2c3d4e5f',
    revision: record.revision ?? 0n,
    type: record.type,
    created: new Date('2026-01-01T00:00:00Z'),
    metadata: {},
    position: { commit: record.position, prepare: record.position },
    ...(record.binary
      ? { isJson: false as const, data: new Uint8Array([1, 2, 3]) }
      : { isJson: true as const, data: record.data ?? {} }),
  };
  return { commitPosition: record.position, event } as AllStreamResolvedEvent & ResolvedEvent;
}

/** What the server answers for a read of $all starting off a record boundary. */
export const invalidPositionFromRead = () =>
  clientError(GRPC.UNKNOWN, 'Unexpected ReadAllResult: InvalidPosition');
export const invalidPositionFromSubscription = () =>
  clientError(GRPC.INVALID_ARGUMENT, 'Trying to read from an invalid position.');

async function* fromArray<T>(items: readonly T[], failure?: Error): AsyncGenerator<T> {
  for (const item of items) yield item;
  if (failure) throw failure;
}

/**
 * $all as the server serves it: forwards from a position inclusive, backwards from one exclusive;
 * a start inside the log that is not a record's start is refused, one past the end reads empty.
 */
export function readAllOf(log: readonly LogRecord[]) {
  const end = (log.at(-1)?.position ?? -RECORD_SIZE) + RECORD_SIZE;
  return (options: { fromPosition: ReadPosition; direction: string; maxCount: number }) => {
    const from = options.fromPosition;
    const at = from === START ? 0n : from === END ? end : from.commit;
    const onBoundary = at >= end || log.some((record) => record.position === at) || at === 0n;
    if (!onBoundary) return fromArray([], invalidPositionFromRead());
    const page =
      options.direction === 'backwards'
        ? log.filter((record) => record.position < at).reverse()
        : log.filter((record) => record.position >= at);
    return fromArray(page.slice(0, options.maxCount).map(resolved));
  };
}

/** A subscription the test feeds: a stream of resolved events with the client's unsubscribe. */
export function fakeSubscription(): PassThrough & { unsubscribe(): Promise<void> } {
  return Object.assign(new PassThrough({ objectMode: true }), { unsubscribe: async () => undefined });
}

export const asClient = (fake: object) => fake as unknown as EventStoreDBClient;

export { fromArray };
