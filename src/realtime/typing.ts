import type pg from 'pg';
import type { Logger } from 'pino';
import type { Connection } from './connection.js';
import { publishEphemeral } from './ephemeral-channel.js';
import { isUuid } from './ephemeral-messages.js';

export interface TypingLimits {
  /** At most one typing frame per conversation per this many milliseconds, per connection. */
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

/** One connection's typing allowance: a per-conversation interval and a fixed-window global cap. */
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

/**
 * Handles `{ type: "typing", conversationId }` from clients: rate-limited per connection (before any
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
  const limiters = new WeakMap<Connection, TypingLimiter>();

  async function relay(userId: string, conversationId: string): Promise<void> {
    const { rows } = await deps.pool.query<{ user_id: string }>(
      'SELECT user_id::text FROM conversation_members WHERE conversation_id = $1',
      [conversationId],
    );
    const members = rows.map((row) => row.user_id);
    if (!members.includes(userId)) return;
    const to = members.filter((member) => member !== userId);
    if (to.length > 0) await publishEphemeral(deps.pool, { kind: 'typing', conversationId, userId, to });
  }

  return (connection: Connection, conversationId: unknown): void => {
    if (typeof conversationId !== 'string' || !isUuid(conversationId)) return;
    const id = conversationId.toLowerCase();
    let limiter = limiters.get(connection);
    if (!limiter) {
      limiter = new TypingLimiter(deps.limits);
      limiters.set(connection, limiter);
    }
    if (!limiter.allow(id)) return;
    const userId = connection.userId.toLowerCase();
    deps.track(
      relay(userId, id).catch((error: unknown) => {
        deps.logger.warn({ err: error, userId, conversationId: id }, 'realtime: typing not relayed');
      }),
    );
  };
}
