import type pg from 'pg';
import type { Logger } from 'pino';
import type { Connection } from '../connection.js';
import { publishEphemeral } from './ephemeral-channel.js';
import { isUuid } from '../../platform/uuid.js';
import { memberIdsOf } from '../../read-models/conversations/queries.js';

export interface TypingLimits {
  /** At most one typing frame per conversation per this many milliseconds, per user. */
  readonly perConversationMs: number;
  /** And at most `maxPerWindow` typing frames, all conversations together, per `windowMs`. */
  readonly maxPerWindow: number;
  readonly windowMs: number;
}

export const DEFAULT_TYPING_LIMITS: TypingLimits = {
  perConversationMs: 2_000,
  maxPerWindow: 10,
  windowMs: 10_000,
};

/** One user's typing allowance: a per-conversation interval and a fixed-window global cap. */
export class TypingLimiter {
  readonly #limits: TypingLimits;
  readonly #now: () => number;
  readonly #lastByConversation = new Map<string, number>();
  #windowStart = Number.NEGATIVE_INFINITY;
  #inWindow = 0;

  constructor(limits: TypingLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Whether nothing has been counted for a whole window: the limiter holds no state worth keeping. */
  isIdle(): boolean {
    return this.#now() - this.#windowStart >= Math.max(this.#limits.windowMs, this.#limits.perConversationMs);
  }

  /** True (and counted) if a typing frame for the conversation may be forwarded now. */
  allow(conversationId: string): boolean {
    const now = this.#now();
    if (now - this.#windowStart >= this.#limits.windowMs) {
      this.#windowStart = now;
      this.#inWindow = 0;
      // Entries older than the interval no longer limit anything; the map stays small.
      for (const [id, at] of this.#lastByConversation) {
        if (now - at >= this.#limits.perConversationMs) this.#lastByConversation.delete(id);
      }
    }
    const last = this.#lastByConversation.get(conversationId);
    if (last !== undefined && now - last < this.#limits.perConversationMs) return false;
    if (this.#inWindow >= this.#limits.maxPerWindow) return false;
    this.#inWindow += 1;
    this.#lastByConversation.set(conversationId, now);
    return true;
  }
}

/** Users whose limiters are kept before idle ones are swept out. */
const LIMITERS_BEFORE_SWEEP = 10_000;

/**
 * Handles `{ type: "typing", conversationId }` from clients: rate-limited per user on this node,
 * however many connections the user has (before any
 * database work), then, if the sender is a current member of the conversation (read model
 * `conversation_members`), published on the ephemeral channel for the other members, wherever
 * they are connected. Anything else is dropped silently.
 */
export function createTypingRelay(deps: {
  pool: pg.Pool;
  logger: Logger;
  limits: TypingLimits;
  /** Keeps the asynchronous part tracked so that the server's close() can wait for it. */
  track: (work: Promise<void>) => void;
}) {
  const limiters = new Map<string, TypingLimiter>();
  const limiterFor = (userId: string): TypingLimiter => {
    let limiter = limiters.get(userId);
    if (!limiter) {
      if (limiters.size >= LIMITERS_BEFORE_SWEEP) {
        for (const [id, idle] of limiters) if (idle.isIdle()) limiters.delete(id);
      }
      limiter = new TypingLimiter(deps.limits);
      limiters.set(userId, limiter);
    }
    return limiter;
  };

  async function relay(userId: string, conversationId: string): Promise<void> {
    const members = await memberIdsOf(deps.pool, conversationId);
    if (!members.includes(userId)) return;
    const to = members.filter((member) => member !== userId);
    if (to.length > 0) await publishEphemeral(deps.pool, { kind: 'typing', conversationId, userId, to });
  }

  return (connection: Connection, conversationId: unknown): void => {
    if (typeof conversationId !== 'string' || !isUuid(conversationId)) return;
    const id = conversationId.toLowerCase();
    const userId = connection.userId.toLowerCase();
    if (!limiterFor(userId).allow(id)) return;
    deps.track(
      relay(userId, id).catch((error: unknown) => {
        deps.logger.warn({ err: error, userId, conversationId: id }, 'realtime: typing not relayed');
      }),
    );
  };
}
