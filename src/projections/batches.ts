const IDLE = Symbol('idle');

/**
 * Groups an async iterable into arrays: whatever is already available (up to `maxSize`) goes in
 * one batch, and a batch is yielded as soon as the source would have to wait for more.
 */
export async function* batches<T>(source: AsyncIterable<T>, maxSize: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  let batch: T[] = [];
  try {
    for (;;) {
      const result =
        batch.length === 0
          ? await next
          : await Promise.race([
              next,
              new Promise<typeof IDLE>((resolve) => setImmediate(() => resolve(IDLE))),
            ]);
      if (result === IDLE) {
        yield batch;
        batch = [];
        continue;
      }
      if (result.done) break;
      batch.push(result.value);
      next = iterator.next();
      if (batch.length >= maxSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    await iterator.return?.();
  }
}
