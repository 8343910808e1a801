/**
 * Folded aggregate states kept between commands, so that a command on a long stream reads only
 * the events after the cached revision. It is a cache, never a source of truth: every load still
 * reads the stream's tail, so writes by other processes are folded in, and an append that loses
 * a race fails on its expected revision as it would without the cache.
 *
 * An entry is taken out while a command works on it and put back with the new state, so no two
 * commands ever fold onto the same state object (evolve may extend a state's maps in place).
 */
export interface CachedAggregate<State> {
  readonly state: State;
  /** Revision and global position of the last event folded into `state`. */
  readonly revision: bigint;
  readonly position: bigint;
}

export class AggregateCache {
  private readonly entries = new Map<string, { decider: unknown; value: CachedAggregate<unknown> }>();

  constructor(private readonly maxEntries = 10_000) {}

  /** Removes and returns the entry; the caller owns the state until it puts one back. */
  take<State>(streamName: string, decider: unknown): CachedAggregate<State> | undefined {
    const entry = this.entries.get(streamName);
    if (!entry) return undefined;
    this.entries.delete(streamName);
    return entry.decider === decider ? (entry.value as CachedAggregate<State>) : undefined;
  }

  put<State>(streamName: string, decider: unknown, value: CachedAggregate<State>): void {
    this.entries.delete(streamName);
    this.entries.set(streamName, { decider, value });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
