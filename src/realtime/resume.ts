import type { EventStore, RecordedEvent } from '../eventstore/port.js';
import type { Connection } from './connection.js';
import type { RealtimeFrame } from './realtime-frame.js';
import { RESYNC_TEXT, serialiseFrame, type FrameText } from './wire-format.js';

/** Events read from the store per query while catching up. */
const READ_BATCH = 500;

export interface ResumeDeps {
  readonly store: EventStore;
  readonly frameFor: (event: RecordedEvent) => RealtimeFrame | undefined;
  /** The feed's current position: live frames up to it have been handed out already. */
  readonly feedPosition: () => bigint;
  /** Most events a resume may scan; past it the client gets `resync` instead of a replay. */
  readonly replayLimit: number;
  /** Catch-up writes pause (until drain) while the socket buffers more than this. */
  readonly highWaterBytes: number;
  /** Stops holding frames for the connection and subscribes it to live pub/sub. */
  readonly goLive: (connection: Connection) => void;
}

type Scan =
  | { readonly kind: 'replay'; readonly frames: FrameText[]; readonly coveredUpTo: bigint }
  | { readonly kind: 'resync' };

/**
 * Brings a connection from `since` to live: every frame for its user after `since` that the feed had
 * handed out, read from the store, then the live frames held meanwhile (dropping any the replay
 * already covered), then live pub/sub. The switch to pub/sub happens in the same tick as the last
 * look at the held frames, so no frame falls between them. Rejects if the store fails.
 *
 * The caller must already hold frames for the connection (FanOut.holdFor) when calling this.
 */
export async function resume(connection: Connection, since: bigint, deps: ResumeDeps): Promise<void> {
  const from = await capAtHead(since, deps);
  const scan = await scanMissedFrames(connection, from, deps);
  let resync = scan.kind === 'resync';
  let batch: readonly FrameText[] = scan.kind === 'replay' ? scan.frames : [];
  // Highest position the client has been given (or the replay scanned): held frames up to it
  // are duplicates.
  let coveredUpTo = scan.kind === 'replay' ? scan.coveredUpTo : -1n;

  for (;;) {
    if (connection.isClosed) return;
    if (resync || connection.heldOverflowed) {
      // Too much to replay, or too many live frames piled up meanwhile: the client reloads over
      // HTTP, then gets every frame held from then on (all newer than anything it was sent).
      connection.send(RESYNC_TEXT);
      connection.clearHeldOverflow();
      resync = false;
      batch = [];
      coveredUpTo = -1n;
    }
    if (batch.length === 0) {
      batch = connection.takeHeld(coveredUpTo);
      if (batch.length === 0) {
        deps.goLive(connection);
        return;
      }
    }
    const last = batch.at(-1);
    if (
      (await sendPaced(connection, batch, deps.highWaterBytes)) === 'sent' &&
      last &&
      last.position > coveredUpTo
    ) {
      coveredUpTo = last.position;
    }
    batch = [];
  }
}

/**
 * A `since` past the head of the log (a client from another store, or a made-up number) counts as
 * the head. Positions between this node's feed and the head are real: the client may have seen
 * them on a node that is further along.
 */
async function capAtHead(since: bigint, deps: ResumeDeps): Promise<bigint> {
  if (since <= deps.feedPosition()) return since;
  const head = await deps.store.headPosition();
  return since > head ? head : since;
}

/**
 * Reads the log after `from` up to the feed's position and keeps the frames for the connection's
 * user, or answers resync when more than `replayLimit` events would have to be scanned.
 */
async function scanMissedFrames(connection: Connection, from: bigint, deps: ResumeDeps): Promise<Scan> {
  const frames: FrameText[] = [];
  let cursor = from;
  let scanned = 0;
  for (;;) {
    if (connection.isClosed || connection.heldOverflowed) return { kind: 'resync' };
    if (cursor >= deps.feedPosition()) break;
    const batch = await deps.store.readAll({
      after: cursor,
      maxCount: Math.min(READ_BATCH, deps.replayLimit + 1 - scanned),
    });
    // Events past the feed's position are not replayed: the feed hands them out (held) later.
    const horizon = deps.feedPosition();
    let reachedHorizon = batch.length === 0;
    for (const event of batch) {
      if (event.position > horizon) {
        reachedHorizon = true;
        break;
      }
      scanned += 1;
      if (scanned > deps.replayLimit) return { kind: 'resync' };
      cursor = event.position;
      const frame = deps.frameFor(event);
      if (frame?.audience.includes(connection.userId)) frames.push(serialiseFrame(frame));
    }
    if (reachedHorizon) break;
  }
  return { kind: 'replay', frames, coveredUpTo: cursor };
}

/** Sends frames in order, waiting for drain whenever the socket's buffer passes the high-water mark. */
async function sendPaced(
  connection: Connection,
  frames: readonly FrameText[],
  highWaterBytes: number,
): Promise<'sent' | 'closed' | 'overflowed'> {
  let next = 0;
  while (next < frames.length) {
    if (connection.isClosed) return 'closed';
    if (connection.heldOverflowed) return 'overflowed';
    if (connection.bufferedAmount() > highWaterBytes) {
      await connection.whenDrained();
      continue;
    }
    next = connection.sendWhileBelow(frames, next, highWaterBytes);
  }
  return 'sent';
}
