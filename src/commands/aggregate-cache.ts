import type { LogReader } from '../log.js';
import { trimOldest } from '../platform/bounded-map.js';

/**
 * Folded aggregate states kept between commands. It is a cache, never a source of truth.
 *
 * With the process's shared log, an entry is *trusted* while no newer event of its stream has
 * been seen: the log marks it stale when one arrives, and an entry put back while events were
 * arriving is checked against the log's window. A trusted entry is used without reading the
 * store, so a command decides on it straight away and a lookup (does the caller exist, whom does
 * this user block) costs nothing. It can be behind the store by what the log has not yet taken
 * in (the log's lag, milliseconds): for a decided stream the expected revision catches that and
 * the retry reads the tail; a lookup may answer from that slightly older state. Without a log,
 * or for an entry that is not trusted, every load reads the stream's tail after the entry.
 *
 * A command takes its entry out while it works on it and puts it back with the new state, so no
 * two commands fold onto the same state object (evolve may extend a state's maps in place).
 */
export interface CachedAggregate<State> {
  readonly state: State;
  /** Revision and global position of the last event folded into `state` (-1 and undefined: no stream yet). */
  readonly revision: bigint;
  readonly position: bigint | undefined;
}

export interface CacheHit<State> extends CachedAggregate<State> {
  readonly trusted: boolean;
}

interface Entry {
  readonly decider: unknown;
  readonly value: CachedAggregate<unknown>;
  trusted: boolean;
}

export class AggregateCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly log?: LogReader,
  ) {
    log?.observe((event) => {
      const entry = this.entries.get(event.streamName);
      if (entry && event.revision > entry.value.revision) entry.trusted = false;
    });
  }

  /** The log position to pass to `put` for a state read from now on. */
  get readMark(): bigint | undefined {
    return this.log?.position;
  }

  /** Removes and returns the entry; the caller owns the state until it puts one back. */
  take<State>(streamName: string, decider: unknown): CacheHit<State> | undefined {
    const hit = this.peek<State>(streamName, decider);
    this.entries.delete(streamName);
    return hit;
  }

  /** Returns the entry and leaves it in place: for callers that only read the state. */
  peek<State>(streamName: string, decider: unknown): CacheHit<State> | undefined {
    const entry = this.entries.get(streamName);
    if (!entry || entry.decider !== decider) return undefined;
    // Most recently used last, so eviction takes the least recently used.
    this.entries.delete(streamName);
    this.entries.set(streamName, entry);
    return { ...(entry.value as CachedAggregate<State>), trusted: entry.trusted };
  }

  /**
   * Keeps a state that was current when the store was read at log position `readMark` (taken
   * before the read), or later. It is trusted only if the log has seen nothing newer of the stream
   * since then; `readMark` undefined means "do not trust".
   */
  put<State>(
    streamName: string,
    decider: unknown,
    value: CachedAggregate<State>,
    readMark: bigint | undefined,
  ): void {
    const log = this.log;
    const trusted =
      log !== undefined &&
      readMark !== undefined &&
      log.covers(readMark) &&
      (log.newestRevisionSeen(streamName) ?? -1n) <= value.revision;
    this.entries.delete(streamName);
    this.entries.set(streamName, { decider, value, trusted });
    trimOldest(this.entries, this.maxEntries);
  }
}
