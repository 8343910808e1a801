import type { ClientBase } from 'pg';
import type { AppendResult, ExpectedRevision, NewEvent } from '../port.js';
import { checkExpectedRevision, matchStoredAppend } from './append-rules.js';
import { EVENTS_TABLE } from './schema.js';

export interface AppendRequest {
  readonly streamName: string;
  readonly events: readonly NewEvent[];
  readonly expectedRevision: ExpectedRevision;
}

export interface AppendOutcome {
  readonly result: AppendResult;
  /** The log head after this append (unchanged when it wrote nothing). */
  readonly head: bigint;
}

interface CheckRow {
  readonly current_revision: string | null;
  readonly event_id: string | null;
  readonly revision: string | null;
  readonly position: string | null;
}

/**
 * The stream's current revision and, in revision order, those of the given ids it already holds.
 * The LEFT JOIN against one dummy row makes the answer a single round trip even when none match.
 */
const CHECK_SQL = `
  SELECT (SELECT max(revision) FROM ${EVENTS_TABLE} WHERE stream_name = $1) AS current_revision,
         e.event_id, e.revision, e.position
    FROM (VALUES (1)) AS one (x)
    LEFT JOIN ${EVENTS_TABLE} e ON e.stream_name = $1 AND e.event_id = ANY ($2::uuid[])
   ORDER BY e.revision`;

const INSERT_SQL = `
  INSERT INTO ${EVENTS_TABLE} (position, stream_name, revision, event_id, type, data, metadata)
  SELECT $2::bigint + e.ord, $1, $3::bigint + e.ord, e.id, e.type, e.data, e.metadata
    FROM unnest($4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[])
         WITH ORDINALITY AS e (id, type, data, metadata, ord)`;

/**
 * Appends to one stream inside a transaction the caller has opened and in which it already holds
 * the log-head lock (`head` is the position of the newest event so far, including appends made
 * earlier in the same transaction). It allocates positions head+1.., and leaves committing, the
 * log-head update and the notification to the caller, so that several appends can share one
 * transaction (group commit). It throws the port's errors; the caller rolls back what it wrote.
 */
export async function appendWithinTransaction(
  client: ClientBase,
  head: bigint,
  { streamName, events, expectedRevision }: AppendRequest,
): Promise<AppendOutcome> {
  const ids = events.map((event) => event.id);
  const check = await client.query<CheckRow>(CHECK_SQL, [streamName, ids]);
  const currentText = check.rows[0]?.current_revision ?? null;
  const current = currentText === null ? undefined : BigInt(currentText);
  const stored = check.rows.flatMap((row) =>
    row.event_id !== null && row.revision !== null && row.position !== null
      ? [{ id: row.event_id, revision: BigInt(row.revision), position: BigInt(row.position) }]
      : [],
  );

  // A retry of an append that already succeeded wins over the revision check: the caller's
  // expected revision was right when the original was written.
  const original = matchStoredAppend(streamName, events, stored);
  if (original !== undefined) return { result: original, head };

  checkExpectedRevision(streamName, expectedRevision, current);
  const lastRevision = current ?? -1n;
  if (events.length === 0) return { result: { nextExpectedRevision: lastRevision, position: head }, head };

  await client.query(INSERT_SQL, [
    streamName,
    head.toString(),
    lastRevision.toString(),
    ids,
    events.map((event) => event.type),
    events.map((event) => JSON.stringify(event.data)),
    events.map((event) => JSON.stringify(event.metadata ?? {})),
  ]);
  const count = BigInt(events.length);
  return {
    result: { nextExpectedRevision: lastRevision + count, position: head + count },
    head: head + count,
  };
}
