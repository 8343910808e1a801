import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { retryDelayMs } from '../../platform/backoff.js';
import type { PresenceStore } from './presence-store.js';

const RETRY = { initialDelayMs: 100, maxDelayMs: 5_000 };
/** Presence rows of an expired node removed per query while sweeping it. */
const SWEEP_BATCH = 500;
/** Users of an expired node whose rows are removed in parallel (each in its own transaction). */
const SWEEP_CONCURRENCY = 4;
/** After a clean shutdown the node's users stay online this long (at most), time to reconnect elsewhere. */
const SHUTDOWN_GRACE_MS = 5_000;

export interface PresenceTrackerOptions {
  readonly store: PresenceStore;
  readonly logger: Logger;
  /** A node that has not heartbeaten for this long counts as dead; its users are swept. */
  readonly nodeTimeoutMs: number;
  /** How often the node heartbeats and looks for dead nodes to sweep. */
  readonly heartbeatIntervalMs: number;
}

/**
 * This node's part of cross-node presence. It counts the node's connections per user in memory
 * and keeps one row per connected user in `realtime_presence` under its node id: the row is added
 * when the user's first connection on this node opens and removed when the last one closes (one
 * reconciling loop per user applies the changes in order and retries them if the database fails).
 * It heartbeats its node row and sweeps the rows of nodes that stopped heartbeating. If it finds
 * its own node row expired (it was cut off for longer than the timeout and may have been swept),
 * it registers again under a new id and re-adds its users, so no row of the old id can survive
 * a sweep in progress.
 */
export class PresenceTracker {
  readonly #options: PresenceTrackerOptions;
  #nodeId: string;
  /** Open connections on this node per user. */
  readonly #connections = new Map<string, number>();
  /** Node ids (this node's, old or current) under which each user has a row. */
  readonly #rows = new Map<string, Set<string>>();
  readonly #reconciling = new Map<string, Promise<void>>();
  #reregistering: Promise<void> | undefined;
  #heartbeating: Promise<void> | undefined;
  #sweeping: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #draining = false;

  private constructor(options: PresenceTrackerOptions, nodeId: string) {
    this.#options = options;
    this.#nodeId = nodeId;
  }

  /** Registers the node and starts heartbeating; rejects if the database cannot be reached. */
  static async start(options: PresenceTrackerOptions): Promise<PresenceTracker> {
    const nodeId = randomUUID();
    await options.store.registerNode(nodeId, options.nodeTimeoutMs);
    const tracker = new PresenceTracker(options, nodeId);
    tracker.#timer = setInterval(() => tracker.#tick(), options.heartbeatIntervalMs);
    tracker.#timer.unref();
    return tracker;
  }

  get nodeId(): string {
    return this.#nodeId;
  }

  connected(userId: string): void {
    this.#connections.set(userId, (this.#connections.get(userId) ?? 0) + 1);
    this.#reconcile(userId);
  }

  disconnected(userId: string): void {
    const remaining = (this.#connections.get(userId) ?? 0) - 1;
    if (remaining > 0) this.#connections.set(userId, remaining);
    else this.#connections.delete(userId);
    this.#reconcile(userId);
  }

  /**
   * The node is shutting down: connections that close from now on leave their rows in place.
   * Their users reconnect to other nodes; those who do not go offline when the node is swept.
   */
  drain(): void {
    this.#draining = true;
  }

  /**
   * Stops heartbeating and sweeping and waits for the presence updates in flight. If the node
   * still has rows (it was drained), its expiry is brought forward to a few seconds from now: the
   * other nodes (or the next one to start) sweep it then, and a user who reconnected meanwhile
   * never looks offline. Without rows, the node row goes at once.
   */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    // From now on: no new heartbeat or sweep, a sweep stops between batches, and a presence
    // update that fails is left to expire instead of retried.
    this.#stopped = true;
    await Promise.all([this.#heartbeating, this.#sweeping]);
    while (this.#reconciling.size > 0) await Promise.all(this.#reconciling.values());
    const { store, logger, nodeTimeoutMs } = this.#options;
    const hasRows = [...this.#rows.values()].some((ids) => ids.size > 0);
    await (
      hasRows
        ? store.expireSoon(this.#nodeId, Math.min(SHUTDOWN_GRACE_MS, nodeTimeoutMs))
        : store.deleteNode(this.#nodeId)
    ).catch((error: unknown) => {
      logger.warn({ err: error }, 'realtime: could not hand the node row over; it will expire');
    });
  }

  /** Starts the user's reconciling loop unless it runs (it re-reads the wanted state each round). */
  #reconcile(userId: string): void {
    if (this.#reconciling.has(userId)) return;
    const loop = this.#reconcileLoop(userId).finally(() => this.#reconciling.delete(userId));
    this.#reconciling.set(userId, loop);
  }

  async #reconcileLoop(userId: string): Promise<void> {
    const { store, logger } = this.#options;
    let failures = 0;
    for (;;) {
      if (this.#draining) return;
      const wanted = this.#connections.has(userId) ? this.#nodeId : undefined;
      const rows = this.#rows.get(userId) ?? new Set<string>();
      const needsRow = wanted !== undefined && !rows.has(wanted);
      const stale = [...rows].find((id) => id !== wanted);
      if (!needsRow && stale === undefined) {
        if (rows.size === 0) this.#rows.delete(userId);
        return;
      }
      try {
        // The new row first, then the old one: the user never looks offline in between.
        if (wanted !== undefined && needsRow) {
          const outcome = await store.add(wanted, userId);
          if (outcome === 'node-expired') await this.#reregister(wanted);
          else rows.add(wanted);
        } else if (stale !== undefined) {
          await store.remove(stale, userId);
          rows.delete(stale);
        }
        this.#rows.set(userId, rows);
        failures = 0;
      } catch (error) {
        if (this.#stopped) {
          logger.warn({ err: error, userId }, 'realtime: presence not updated at shutdown; it will expire');
          return;
        }
        failures += 1;
        const delayMs = retryDelayMs(failures, RETRY);
        logger.warn({ err: error, userId, failures, retryInMs: delayMs }, 'realtime: presence update failed');
        await sleep(delayMs);
      }
    }
  }

  /** Takes a new node id after the current one expired, and brings every user's rows over to it. */
  #reregister(expiredId: string): Promise<void> {
    if (this.#nodeId !== expiredId) return Promise.resolve();
    this.#reregistering ??= (async () => {
      const nodeId = randomUUID();
      await this.#options.store.registerNode(nodeId, this.#options.nodeTimeoutMs);
      this.#options.logger.warn(
        { expiredNodeId: expiredId, nodeId },
        'realtime: this node had expired; registered again under a new id',
      );
      this.#nodeId = nodeId;
      for (const userId of this.#connections.keys()) this.#reconcile(userId);
    })().finally(() => {
      this.#reregistering = undefined;
    });
    return this.#reregistering;
  }

  /** Heartbeat and sweep run independently: a long sweep must never delay this node's heartbeat. */
  #tick(): void {
    if (this.#stopped) return;
    this.#heartbeating ??= this.#heartbeat()
      .catch((error: unknown) =>
        this.#options.logger.warn({ err: error }, 'realtime: presence heartbeat failed'),
      )
      .finally(() => {
        this.#heartbeating = undefined;
      });
    this.#sweeping ??= this.#sweepExpired()
      .catch((error: unknown) => this.#options.logger.warn({ err: error }, 'realtime: presence sweep failed'))
      .finally(() => {
        this.#sweeping = undefined;
      });
  }

  async #heartbeat(): Promise<void> {
    const nodeId = this.#nodeId;
    if (!(await this.#options.store.heartbeat(nodeId, this.#options.nodeTimeoutMs))) {
      await this.#reregister(nodeId);
    }
  }

  async #sweepExpired(): Promise<void> {
    for (const expired of await this.#options.store.expiredNodes()) {
      if (this.#stopped) return;
      await this.#sweep(expired);
    }
  }

  /**
   * Removes an expired node's rows a few users at a time (announcing "offline" where it was the
   * user's last row), then the node row. Other nodes may sweep the same node at the same time:
   * each row goes once, under its user's lock.
   */
  async #sweep(nodeId: string): Promise<void> {
    const { store, logger } = this.#options;
    let swept = 0;
    while (!this.#stopped) {
      const users = await store.usersOf(nodeId, SWEEP_BATCH);
      if (users.length === 0) {
        if (await store.deleteNode(nodeId))
          logger.info({ nodeId, users: swept }, 'realtime: swept an expired node');
        return;
      }
      for (let from = 0; from < users.length; from += SWEEP_CONCURRENCY) {
        await Promise.all(
          users.slice(from, from + SWEEP_CONCURRENCY).map((userId) => store.remove(nodeId, userId)),
        );
      }
      swept += users.length;
    }
  }
}
