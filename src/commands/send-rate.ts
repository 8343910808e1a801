import type { LogReader, LoggedEvent } from '../log.js';
import { tooManyRequests } from '../http/problems.js';

/*
 * Messages per user: a token bucket per user, refilled at `perMinute`, holding at most half of
 * that (the burst). Every process keeps the buckets of the users who send, and charges them for
 * its own sends when it admits them and for every other process's sends when its log shows the
 * MessageSent: the limit holds across processes without a database round trip per send. The
 * tolerance is what other processes admitted but this one's log has not shown yet: their sends
 * of the last few milliseconds (up to the log's fallback poll when LISTEN cannot work).
 */

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept before the full (idle) ones are swept out. */
const BUCKETS_BEFORE_SWEEP = 100_000;
/** Own sends remembered until the log shows them (so they are not charged twice). */
const OWN_SENDS_REMEMBERED = 100_000;

export interface SendRate {
  /** Charges one message to the user, or refuses it with 429 and Retry-After. */
  admit(userId: string, messageId: string): void;
}

export function createSendRate(options: { perMinute: number; log: LogReader; now?: () => number }): SendRate {
  const now = options.now ?? Date.now;
  if (options.perMinute <= 0) return { admit: () => undefined };
  const capacity = Math.max(1, Math.floor(options.perMinute / 2));
  const perMs = options.perMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  const own = new Set<string>();

  function refill(userId: string, at: number): Bucket {
    const bucket = buckets.get(userId) ?? { tokens: capacity, at };
    bucket.tokens = Math.min(capacity, bucket.tokens + (at - bucket.at) * perMs);
    bucket.at = at;
    if (!buckets.has(userId)) {
      if (buckets.size >= BUCKETS_BEFORE_SWEEP) {
        for (const [id, old] of buckets)
          if (old.tokens + (at - old.at) * perMs >= capacity) buckets.delete(id);
      }
      buckets.set(userId, bucket);
    }
    return bucket;
  }

  options.log.observe((event: LoggedEvent) => {
    if (event.type !== 'MessageSent') return;
    const { messageId, senderId } = event.data;
    if (own.delete(messageId)) return;
    refill(senderId, now()).tokens -= 1; // sent elsewhere: charged even into debt
  });

  return {
    admit(userId, messageId) {
      const bucket = refill(userId, now());
      if (bucket.tokens < 1) {
        throw tooManyRequests('too many messages; slow down', Math.ceil((1 - bucket.tokens) / perMs / 1000));
      }
      bucket.tokens -= 1;
      own.add(messageId);
      if (own.size > OWN_SENDS_REMEMBERED) own.delete(own.values().next().value!);
    },
  };
}
