import type { ClientBase, Pool } from 'pg';
import type { AppendResult } from '../port.js';
import { appendWithinTransaction, type AppendRequest } from './append.js';
import { translateAppendError } from './pg-errors.js';
import { APPENDED_CHANNEL, LOG_HEAD_TABLE } from './schema.js';

/*
 * Why the global order has no gaps a reader could observe (architecture decision 3).
 *
 * Every append transaction first locks the single log-head row (`SELECT ... FOR UPDATE`) and
 * only then reads the head and hands out positions head+1.., so position allocation is
 * serialised: a writer can take positions only after the previous holder of the lock has ended.
 * PostgreSQL ends a transaction by first making its commit visible to new snapshots
 * (ProcArrayEndTransaction) and only afterwards releasing its locks. So when writer B obtains
 * the lock, writer A's events (lower positions) are already visible to everyone; any snapshot
 * that can see B's position N+1 was taken after B committed and therefore also sees A's N.
 * A rolled-back append gives its positions back (the head update rolls back with it), so the
 * log is dense: positions are exactly 1..head, and "read everything above my cursor" is a
 * complete reader protocol.
 *
 * READ COMMITTED matters: each statement after the lock takes a fresh snapshot, which includes
 * every append that committed while we waited. (Under REPEATABLE READ the snapshot would date
 * from before the wait.)
 *
 * The price is that appends are serialised across all processes. Group commit recovers most of
 * the throughput: appends queued in this process while a transaction is in flight share the next
 * transaction, each under its own savepoint, so one lock acquisition and one commit (one WAL
 * flush) serve many appends, and one failing append does not affect the others.
 */

/** Takes the log-head lock for the rest of the transaction and returns the current head. */
export async function lockLogHead(client: ClientBase): Promise<bigint> {
  const { rows } = await client.query<{ position: string }>(
    `SELECT position FROM ${LOG_HEAD_TABLE} FOR UPDATE`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error(`${LOG_HEAD_TABLE} is empty; was the migration run?`);
  return BigInt(row.position);
}

interface PendingAppend {
  readonly request: AppendRequest;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type Outcome =
  { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: unknown };

/** Runs a batch of appends in one transaction; settles every pending append, never throws. */
async function commitBatch(pool: Pool, batch: readonly PendingAppend[]): Promise<void> {
  const rejectAll = (error: unknown, outcomes: readonly Outcome[] = []): void => {
    batch.forEach((pending, index) => {
      const outcome = outcomes[index];
      const own = outcome !== undefined && !outcome.ok ? outcome.error : error;
      pending.reject(translateAppendError(own, pending.request.streamName, pending.request.expectedRevision));
    });
  };

  let client;
  try {
    client = await pool.connect();
  } catch (error) {
    rejectAll(error);
    return;
  }

  const outcomes: Outcome[] = [];
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    const initialHead = await lockLogHead(client);
    let head = initialHead;
    const useSavepoints = batch.length > 1;
    for (const pending of batch) {
      if (useSavepoints) await client.query('SAVEPOINT append');
      try {
        const outcome = await appendWithinTransaction(client, head, pending.request);
        if (useSavepoints) await client.query('RELEASE SAVEPOINT append');
        head = outcome.head;
        outcomes.push({ ok: true, result: outcome.result });
      } catch (error) {
        // Without savepoints the only append failed and nothing was written: the final ROLLBACK
        // below clears a possibly aborted transaction.
        if (useSavepoints) await client.query('ROLLBACK TO SAVEPOINT append');
        outcomes.push({ ok: false, error });
      }
    }
    if (head === initialHead) {
      await client.query('ROLLBACK');
    } else {
      await client.query(`UPDATE ${LOG_HEAD_TABLE} SET position = $1`, [head.toString()]);
      // Delivered to listeners only when (and if) the transaction commits.
      await client.query('SELECT pg_notify($1, $2)', [APPENDED_CHANNEL, head.toString()]);
      await client.query('COMMIT');
    }
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    rejectAll(error, outcomes);
    return;
  } finally {
    // A connection that failed mid-transaction is discarded, not returned to the pool.
    client.release(broken);
  }

  batch.forEach((pending, index) => {
    const outcome = outcomes[index];
    if (outcome === undefined) return;
    if (outcome.ok) pending.resolve(outcome.result);
    else
      pending.reject(
        translateAppendError(outcome.error, pending.request.streamName, pending.request.expectedRevision),
      );
  });
}

/**
 * Group commit: one transaction in flight per store instance; appends that arrive meanwhile are
 * queued and committed together in the next one (at most `maxBatchSize` per transaction).
 */
export class AppendBatcher {
  readonly #pool: Pool;
  readonly #maxBatchSize: number;
  #queue: PendingAppend[] = [];
  #draining: Promise<void> | undefined;

  constructor(pool: Pool, maxBatchSize: number) {
    if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new RangeError('maxBatchSize must be a positive integer');
    }
    this.#pool = pool;
    this.#maxBatchSize = maxBatchSize;
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Resolves once every append queued so far has been settled. */
  async settled(): Promise<void> {
    await this.#draining;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatchSize);
        await commitBatch(this.#pool, batch);
      }
    } finally {
      this.#draining = undefined;
    }
  }
}
