import type { Pool } from 'pg';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors.js';
import type { AppendResult, EventMetadata, ExpectedRevision, JsonObject, RecordedEvent } from '../port.js';
import type { EncodedAppend } from './append-rules.js';
import { isConnectionFailure, translateAppendError } from './pg-errors.js';
import { APPEND_FUNCTION } from './schema.js';

/*
 * Why the global order has no gaps a reader could observe (architecture decision 3).
 *
 * Every append statement first locks the single log-head row (`SELECT ... FOR UPDATE` inside
 * `append_batch`) and only then reads the head and hands out positions head+1.., so position
 * allocation is serialised: a writer can take positions only after the previous holder of the lock
 * has ended. PostgreSQL ends a transaction by first making its commit visible to new snapshots
 * (ProcArrayEndTransaction) and only afterwards releasing its locks. So when writer B obtains the
 * lock, writer A's events (lower positions) are already visible to everyone; any snapshot that can
 * see B's position N+1 was taken after B committed and therefore also sees A's N. A failed
 * statement gives its positions back (the head update rolls back with it), so the log is dense:
 * positions are exactly 1..head, and "read everything above my cursor" is a complete reader
 * protocol. (The function runs under READ COMMITTED, so each of its statements after the lock
 * sees every append that committed while it waited.)
 *
 * The price is that appends are serialised across all processes, so the lock must be held as
 * briefly as possible: a whole batch is one statement, one round trip, in its own implicit
 * transaction. Group commit: appends queued in this process while a statement is in flight go
 * together in the next one, so one lock acquisition and one commit (one WAL flush) serve many.
 */

const RESULT = 'SELECT outcome, revision, "position", duplicate_id, created_at FROM';
const APPEND_SQL = `${RESULT} ${APPEND_FUNCTION}($1, $2, $3, $4, $5, $6, $7, $8)`;
/** The same, writing the appends' new personal-data keys in the same transaction (schema version 4). */
const APPEND_WITH_KEYS_SQL = `${RESULT} ${APPEND_FUNCTION}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`;

interface OutcomeRow {
  readonly outcome: 'ok' | 'retry' | 'wrong_revision' | 'duplicate_id';
  readonly revision: string | null;
  readonly position: string | null;
  readonly duplicate_id: string | null;
  readonly created_at: Date;
}

/** The events an accepted append wrote, as a reader of the table would get them. */
function recordedEvents(append: EncodedAppend, row: OutcomeRow): RecordedEvent[] {
  const count = append.ids.length;
  const lastRevision = BigInt(row.revision!);
  const lastPosition = BigInt(row.position!);
  return append.ids.map((id, index) => {
    const back = BigInt(count - 1 - index);
    return {
      id: id.toLowerCase(),
      streamName: append.streamName,
      revision: lastRevision - back,
      position: lastPosition - back,
      type: append.types[index]!,
      data: JSON.parse(append.datas[index]!) as JsonObject,
      metadata: JSON.parse(append.metadatas[index]!) as EventMetadata,
      createdAt: row.created_at,
    };
  });
}

interface PendingAppend {
  readonly append: EncodedAppend;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

function expectedText(expected: ExpectedRevision): string {
  return typeof expected === 'bigint' ? expected.toString() : expected;
}

function settle(pending: PendingAppend, row: OutcomeRow | undefined): void {
  const { streamName, expectedRevision } = pending.append;
  switch (row?.outcome) {
    case 'ok':
    case 'retry':
      pending.resolve({ nextExpectedRevision: BigInt(row.revision!), position: BigInt(row.position!) });
      return;
    case 'wrong_revision':
      pending.reject(
        new WrongExpectedRevisionError(
          streamName,
          expectedRevision,
          row.revision === null ? 'no_stream' : BigInt(row.revision),
        ),
      );
      return;
    case 'duplicate_id':
      pending.reject(new DuplicateEventIdError(streamName, row.duplicate_id ?? 'unknown'));
      return;
    case undefined:
      pending.reject(new Error(`${APPEND_FUNCTION} returned no outcome for an append to ${streamName}`));
  }
}

async function appendAll(pool: Pool, batch: readonly PendingAppend[]): Promise<OutcomeRow[]> {
  const appends = batch.map((pending) => pending.append);
  const values: unknown[] = [
    appends.map((append) => append.streamName),
    appends.map((append) => expectedText(append.expectedRevision)),
    appends.map((append) => append.ids.length),
    appends.flatMap((append) => append.ids.map(() => append.streamName)),
    appends.flatMap((append) => append.ids),
    appends.flatMap((append) => append.types),
    appends.flatMap((append) => append.datas),
    appends.flatMap((append) => append.metadatas),
  ];
  const keys = appends.flatMap((append, index) =>
    append.sealingKeys.map((key) => ({ index: index + 1, key })),
  );
  if (keys.length === 0) {
    return (await pool.query<OutcomeRow>({ name: 'event_store_append_batch', text: APPEND_SQL, values }))
      .rows;
  }
  values.push(
    keys.map(({ index }) => index),
    keys.map(({ key }) => key.subject),
    keys.map(({ key }) => key.owner),
    keys.map(({ key }) => key.wrappedKey),
  );
  return (
    await pool.query<OutcomeRow>({
      name: 'event_store_append_batch_keys',
      text: APPEND_WITH_KEYS_SQL,
      values,
    })
  ).rows;
}

/** Receives, in commit order, the events each statement wrote. */
export type CommittedListener = (events: readonly RecordedEvent[]) => void;

/** Runs a batch of appends as one statement; settles every pending append, never throws. */
async function commitBatch(
  pool: Pool,
  batch: readonly PendingAppend[],
  onCommitted: CommittedListener,
): Promise<void> {
  let rows: OutcomeRow[];
  try {
    rows = await appendAll(pool, batch);
  } catch (error) {
    // The statement wrote nothing. If one append's input made it fail (the server refused a value
    // that got past the checks), the others must not fail with it: run each on its own.
    if (batch.length > 1 && !isConnectionFailure(error)) {
      for (const pending of batch) await commitBatch(pool, [pending], onCommitted);
      return;
    }
    for (const pending of batch) {
      pending.reject(translateAppendError(error, pending.append.streamName, pending.append.expectedRevision));
    }
    return;
  }
  const written = batch.flatMap((pending, index) => {
    const row = rows[index];
    return row?.outcome === 'ok' ? recordedEvents(pending.append, row) : [];
  });
  if (written.length > 0) onCommitted(written);
  batch.forEach((pending, index) => settle(pending, rows[index]));
}

/**
 * Group commit: one statement in flight per store instance; appends that arrive meanwhile are
 * queued and committed together in the next one (at most `maxBatchSize` per statement). One is
 * enough: a second would only wait on the log-head lock in the server, and measured slower.
 */
export class AppendBatcher {
  readonly #pool: Pool;
  readonly #maxBatchSize: number;
  readonly #onCommitted: CommittedListener;
  #queue: PendingAppend[] = [];
  #draining: Promise<void> | undefined;
  #current: Promise<void> | undefined;

  constructor(pool: Pool, maxBatchSize: number, onCommitted: CommittedListener) {
    if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new RangeError('maxBatchSize must be a positive integer');
    }
    this.#pool = pool;
    this.#maxBatchSize = maxBatchSize;
    this.#onCommitted = onCommitted;
  }

  append(append: EncodedAppend): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.#queue.push({ append, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Resolves once the statement in flight (if any) has committed or failed. */
  async currentStatement(): Promise<void> {
    await this.#current;
  }

  /** Resolves once every append queued so far has been settled. */
  async settled(): Promise<void> {
    await this.#draining;
  }

  async #drain(): Promise<void> {
    try {
      for (;;) {
        if (this.#queue.length === 0) {
          // Callers whose appends just settled often append again at once: let them queue, so
          // their appends share the next statement instead of the first going alone.
          await new Promise(setImmediate);
          if (this.#queue.length === 0) return;
        }
        const batch = this.#queue.splice(0, this.#maxBatchSize);
        this.#current = commitBatch(this.#pool, batch, this.#onCommitted);
        await this.#current;
        this.#current = undefined;
      }
    } finally {
      this.#draining = undefined;
    }
  }
}
