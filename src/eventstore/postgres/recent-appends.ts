import type { RecordedEvent } from '../port.js';

/*
 * The events this store instance has itself committed lately, so that its subscriptions need
 * not read them back from the database. Positions in this store are dense (1..head, see
 * append-batch.ts), so "the event at cursor + 1" is exactly the next event of the log: when this
 * instance wrote it, a subscriber takes it (and the run of its own events that follows) from
 * here; when another process wrote it, there is no such event here and the subscriber reads the
 * table as before.
 */
export class RecentAppends {
  #events: RecordedEvent[] = [];

  constructor(private readonly capacity: number) {}

  /** Takes in events committed by one statement, in position order (statements commit in order). */
  add(events: readonly RecordedEvent[]): void {
    this.#events.push(...events);
    // Trimmed in chunks, so the cost per event stays constant.
    if (this.#events.length >= 2 * this.capacity) this.#events = this.#events.slice(-this.capacity);
  }

  /** The events at cursor + 1, cursor + 2, … as far as this instance wrote them without a gap. */
  after(cursor: bigint, maxCount: number): RecordedEvent[] {
    const events = this.#events;
    const next = cursor + 1n;
    let low = 0;
    let high = events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (events[middle]!.position < next) low = middle + 1;
      else high = middle;
    }
    const run: RecordedEvent[] = [];
    for (let index = low; index < events.length && run.length < maxCount; index++) {
      const event = events[index]!;
      if (event.position !== next + BigInt(run.length)) break;
      run.push(event);
    }
    return run;
  }
}
