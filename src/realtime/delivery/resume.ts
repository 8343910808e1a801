import { InvalidPositionError } from '../../eventstore/errors.js';
import type { LogStore, LoggedEvent } from '../../log.js';
import type { RealtimeMetrics } from '../../http/metrics.js';
import { CloseCode, CloseReason } from '../close-codes.js';
import type { Connection } from '../connection.js';
import type { GapPage, GapReader } from './gap-reader.js';
import type { RealtimeFrame } from '../realtime-frame.js';
import { RESYNC_TEXT, serialiseFrame, type FrameText } from '../wire-format.js';

/**
 * The user's events read per query while catching up: with the socket's own buffer, all a
 * resume holds in memory, whatever the history.
 */
const READ_BATCH = 50;
/** The user's events read per query while only counting the gap. */
const COUNT_BATCH = 500;
/** A client that reads nothing of its replay for this long is closed (4008), freeing what it holds. */
export const REPLAY_DRAIN_TIMEOUT_MS = 15_000;

export interface ResumeDeps {
  readonly store: LogStore;
  readonly frameFor: (event: LoggedEvent) => RealtimeFrame | undefined;
  /** Reads the user's own events in a gap (the resume index, else a scan of the log). */
  readonly readGap: GapReader;
  /** The feed's current position: live frames up to it have been handed out already. */
  readonly feedPosition: () => bigint;
  /** Most of the user's own events a resume may replay; past it the client gets `resync` instead. */
  readonly replayLimit: number;
  /** Catch-up writes pause (until drain) while the socket buffers more than this. */
  readonly highWaterBytes: number;
  /** Stops holding frames for the connection and subscribes it to live pub/sub. */
  readonly goLive: (connection: Connection) => void;
  readonly metrics?: RealtimeMetrics | undefined;
}

type Replay =
  | { readonly kind: 'replayed'; readonly coveredUpTo: bigint }
  | { readonly kind: 'resync' }
  | { readonly kind: 'closed' };

/**
 * Brings a connection from `since` to live: every frame for its user after `since` that the feed had
 * handed out, read from the store, then the live frames held meanwhile (dropping any the replay
 * already covered), then live pub/sub. The switch to pub/sub happens in the same tick as the last
 * look at the held frames, so no frame falls between them. Rejects if the store fails.
 *
 * The caller must already hold frames for the connection (FanOut.holdFor) when calling this.
 */
export async function resume(connection: Connection, since: bigint, deps: ResumeDeps): Promise<void> {
  const tally = { frames: 0 };
  let replay: Replay;
  try {
    await checkNotPastHead(since, deps);
    replay = await replayMissedFrames(connection, since, deps, tally);
  } catch (error) {
    // Not a position this store returned (made up, or from the store used before a switch): the
    // client cannot be brought up to date from it, so it reloads. Refused before anything is sent.
    if (!(error instanceof InvalidPositionError)) throw error;
    replay = { kind: 'resync' };
  }
  deps.metrics?.replayed(replay.kind, tally.frames);
  if (replay.kind === 'closed') return;
  let resync = replay.kind === 'resync';
  let batch: readonly FrameText[] = [];
  // Highest position the client has been given (or the replay scanned): held frames up to it
  // are duplicates.
  let coveredUpTo = replay.kind === 'replayed' ? replay.coveredUpTo : -1n;

  for (;;) {
    if (connection.isClosed) return;
    if (resync || connection.heldOverflowed) {
      deps.metrics?.resynced(connection.heldOverflowed ? 'held_overflow' : 'replay_too_long');
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
 * A `since` past the head of the log (a client from another store, or a made-up number) is no
 * position of this store. Positions between this node's feed and the head are real: the client
 * may have seen them on a node that is further along. (Below the feed, the store's reads refuse
 * what is not one of its positions.)
 */
async function checkNotPastHead(since: bigint, deps: ResumeDeps): Promise<void> {
  if (since <= deps.feedPosition()) return;
  if (since > (await deps.store.headPosition())) throw new InvalidPositionError(since);
}

/** What a replay must know of the gap before sending any of it. */
interface Gap {
  readonly tooLong: boolean;
  /** Messages deleted within the gap. */
  readonly deleted: Set<string>;
  /** Per message edited within the gap, the position of its last edit. */
  readonly lastEdit: Map<string, bigint>;
}

const messageIdOf = (event: LoggedEvent): string | undefined =>
  'messageId' in event.data ? event.data.messageId : undefined;

/**
 * Reads the user's events between `from` and `horizon` a page at a time, forgetting each page
 * once looked at: whether there are more than `replayLimit` of them, and which messages they
 * delete or edit.
 */
async function surveyGap(userId: string, from: bigint, horizon: bigint, deps: ResumeDeps): Promise<Gap> {
  const gap = { tooLong: false, deleted: new Set<string>(), lastEdit: new Map<string, bigint>() };
  let cursor = from;
  let counted = 0;
  while (cursor < horizon) {
    const page = await deps.readGap(
      userId,
      cursor,
      horizon,
      Math.min(COUNT_BATCH, deps.replayLimit + 1 - counted),
    );
    for (const event of page.events) {
      counted += 1;
      if (counted > deps.replayLimit) return { ...gap, tooLong: true };
      const messageId = messageIdOf(event);
      if (messageId === undefined) continue;
      if (event.type === 'MessageDeleted') gap.deleted.add(messageId);
      else if (event.type === 'MessageEdited') gap.lastEdit.set(messageId, event.position);
    }
    if (page.scannedTo <= cursor) return gap;
    cursor = page.scannedTo;
  }
  return gap;
}

/**
 * A replay shows what history shows now: the frame of a message deleted later in the gap, or of
 * a version edited again later in it, goes without its body (the later frames tell the rest).
 */
function asReplayed(frame: RealtimeFrame, event: LoggedEvent, gap: Gap): RealtimeFrame {
  const messageId = messageIdOf(event);
  if (messageId === undefined || !('body' in frame.data)) return frame;
  const superseded = gap.deleted.has(messageId) || (gap.lastEdit.get(messageId) ?? -1n) > event.position;
  if (!superseded) return frame;
  const { body: _body, ...data } = frame.data;
  return { ...frame, data };
}

/**
 * Sends the connection's user their frames from the log after `from` up to the feed's position
 * (taken once: what comes later the feed holds for the connection). First the user's events in
 * the gap are surveyed, so that more than `replayLimit` of them get resync and no partial replay,
 * and no replayed frame shows a body deleted or edited since; then the frames are streamed a
 * read at a time under the socket's backpressure, so a resume holds one read and the socket's
 * buffer in memory, whatever the history. Only the user's own events are read (`readGap`).
 */
async function replayMissedFrames(
  connection: Connection,
  from: bigint,
  deps: ResumeDeps,
  tally: { frames: number },
): Promise<Replay> {
  const horizon = deps.feedPosition();
  const gap = await surveyGap(connection.userId, from, horizon, deps);
  if (gap.tooLong) return { kind: 'resync' };
  let cursor = from;
  while (cursor < horizon) {
    if (connection.isClosed) return { kind: 'closed' };
    if (connection.heldOverflowed) return { kind: 'resync' };
    let page: GapPage | undefined = await deps.readGap(connection.userId, cursor, horizon, READ_BATCH);
    const frames: FrameText[] = [];
    const types = deps.metrics ? new Map<string, number>() : undefined;
    for (const event of page.events) {
      const frame = deps.frameFor(event);
      if (frame?.audience.includes(connection.userId)) {
        frames.push(serialiseFrame(asReplayed(frame, event, gap)));
        types?.set(frame.type, (types.get(frame.type) ?? 0) + 1);
      }
    }
    const progressed = page.scannedTo > cursor;
    cursor = page.scannedTo;
    page = undefined; // only the frames are kept while the client reads them
    const sent = await sendPaced(connection, frames, deps.highWaterBytes);
    if (sent === 'closed') return { kind: 'closed' };
    if (sent === 'overflowed') return { kind: 'resync' };
    tally.frames += frames.length;
    for (const [type, count] of types ?? []) deps.metrics?.framesSent(type, count);
    if (!progressed) break;
  }
  return { kind: 'replayed', coveredUpTo: cursor };
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
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        connection.whenDrained().then(() => true),
        new Promise<boolean>(
          (resolve) => (timer = setTimeout(() => resolve(false), REPLAY_DRAIN_TIMEOUT_MS)),
        ),
      ]);
      clearTimeout(timer);
      if (!drained) {
        connection.end(CloseCode.tooSlow, CloseReason.tooSlow);
        return 'closed';
      }
      continue;
    }
    next = connection.sendWhileBelow(frames, next, highWaterBytes);
  }
  return 'sent';
}
