import type { LogStore, LoggedEvent } from '../../log.js';
import type { RealtimeFrame } from '../realtime-frame.js';

/** A page of one user's events in a gap of the log. */
export interface GapPage {
  /** The user's events (those whose frame is for them), in log order. */
  readonly events: LoggedEvent[];
  /** Every event up to this position has been looked at: the next page starts after it. */
  readonly scannedTo: bigint;
}

/**
 * Reads the events that concern `userId` in (`after`, `horizon`], at most `maxCount` of them.
 * What a resume costs is what this reads.
 */
export type GapReader = (
  userId: string,
  after: bigint,
  horizon: bigint,
  maxCount: number,
) => Promise<GapPage>;

/** Most events read per query when the log itself is scanned. */
const SCAN_BATCH = 500;

/**
 * The fallback: scans the whole log in the gap and keeps the user's events. Its cost follows the
 * log, not the user; the resume index (resume-index.ts) serves the part of a gap it covers.
 */
export function logScanGapReader(deps: {
  readonly store: LogStore;
  readonly frameFor: (event: LoggedEvent) => RealtimeFrame | undefined;
}): GapReader {
  return async (userId, after, horizon, maxCount) => {
    const events: LoggedEvent[] = [];
    // No more at a time than the caller takes: a replay reads little, to hold little.
    const batch = Math.min(SCAN_BATCH, Math.max(maxCount, 1));
    let cursor = after;
    while (cursor < horizon) {
      const page = await deps.store.readAll({ after: cursor, maxCount: batch });
      if (page.length === 0) return { events, scannedTo: horizon };
      for (const event of page) {
        if (event.position > horizon) return { events, scannedTo: horizon };
        cursor = event.position;
        if (deps.frameFor(event)?.audience.includes(userId)) {
          events.push(event);
          if (events.length >= maxCount) return { events, scannedTo: cursor };
        }
      }
    }
    return { events, scannedTo: cursor };
  };
}
