/**
 * Runs work for one stream at a time within this process, in arrival order. Commands on a busy
 * stream (a lively group) then queue instead of racing to the same revision and retrying; races
 * with other processes are still settled by the expected revision.
 */
export class StreamLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(streamName: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(streamName) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(streamName, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(streamName) === tail) this.tails.delete(streamName);
    }
  }

  /** Streams with work running or queued (for tests and metrics). */
  get busy(): number {
    return this.tails.size;
  }
}
