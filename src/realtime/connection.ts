import type { WebSocket } from 'uWebSockets.js';
import type { RealtimeMetrics } from '../http/metrics.js';
import type { AccessTokenClaims } from '../platform/tokens.js';
import type { EphemeralFrame, FrameText } from './wire-format.js';
import { PONG_TEXT, RESYNC_TEXT, userTopic } from './wire-format.js';

/** Whether the token's user exists, when the upgrade could not tell at once. */
export type UserCheck = 'exists' | 'unknown' | 'failed';

/** What the upgrade handler attaches to a socket; uWS hands it back as the socket's user data. */
export interface UpgradeData {
  readonly claims: AccessTokenClaims;
  /** The position the client last saw (`since`); undefined = live frames only. */
  readonly since: bigint | undefined;
  /** Pending check of the user (see upgrade.ts): nothing is sent or taken until it says `exists`. */
  readonly userCheck?: Promise<UserCheck>;
  connection?: Connection;
  /** Client messages that arrived while the user check was pending (copies), taken in order after it. */
  early?: ArrayBuffer[];
  /** Set once the connection is served: presence counted, frames flowing. */
  started?: boolean;
}

/** Ephemeral frames kept for one connection while its presence snapshot is read; more are dropped. */
const MAX_HELD_EPHEMERAL = 1000;

/** The metrics' name for a frame without position. */
const ephemeralType = (frame: EphemeralFrame): string => (frame.presence ? 'presence' : 'typing');
const controlType = (text: string): string =>
  text === RESYNC_TEXT ? 'resync' : text === PONG_TEXT ? 'pong' : 'other';

/** setTimeout cannot wait longer than this (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One open WebSocket: its user, the live frames held back while it catches up, its drain waiters
 * and its token-expiry timer. Every method is safe to call after the socket closed (uWS throws
 * on any use of a closed socket, so the state guards each call).
 */
export class Connection {
  readonly userId: string;
  /** The session its access token names (tokens issued before sessions were named have none). */
  readonly sessionId: string | undefined;
  readonly topic: string;
  #closed = false;
  #live = false;
  #held: FrameText[] = [];
  #heldOverflowed = false;
  #overBackpressureLimit = false;
  #drainWaiters: (() => void)[] = [];
  #expiryTimer: NodeJS.Timeout | undefined;
  /** Ephemeral frames kept back while the presence snapshot is read; undefined = send at once. */
  #ephemeralHeld: EphemeralFrame[] | undefined;
  readonly #ws: WebSocket<UpgradeData>;
  readonly #maxHeldFrames: number;
  readonly #metrics: RealtimeMetrics | undefined;

  constructor(
    readonly id: number,
    ws: WebSocket<UpgradeData>,
    maxHeldFrames: number,
    metrics?: RealtimeMetrics,
  ) {
    this.#ws = ws;
    this.#maxHeldFrames = maxHeldFrames;
    this.#metrics = metrics;
    this.userId = ws.getUserData().claims.userId;
    this.sessionId = ws.getUserData().claims.sessionId;
    this.topic = userTopic(this.userId);
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  get isLive(): boolean {
    return this.#live;
  }

  /** True once more live frames arrived during catch-up than may be held; the client must resync. */
  get heldOverflowed(): boolean {
    return this.#heldOverflowed;
  }

  bufferedAmount(): number {
    return this.#closed ? 0 : this.#ws.getBufferedAmount();
  }

  send(text: string): void {
    if (this.#closed) return;
    this.#ws.send(text, false);
    this.#metrics?.framesSent(controlType(text), 1);
  }

  /** Sends frames from `from` on, in one corked write, until the buffer passes `highWaterBytes`. */
  sendWhileBelow(frames: readonly FrameText[], from: number, highWaterBytes: number): number {
    let next = from;
    if (this.#closed) return next;
    this.#ws.cork(() => {
      while (next < frames.length && this.#ws.getBufferedAmount() <= highWaterBytes) {
        const frame = frames[next];
        if (frame) this.#ws.send(frame.text, false);
        next += 1;
      }
    });
    return next;
  }

  /**
   * Sends a frame that carries no position (presence, typing). Such frames are droppable: one that
   * would go to a socket already buffering more than `maxBufferedBytes` is dropped, never queued.
   */
  sendEphemeral(frame: EphemeralFrame, maxBufferedBytes: number): void {
    if (this.#closed) return;
    if (this.#ephemeralHeld) {
      if (this.#ephemeralHeld.length < MAX_HELD_EPHEMERAL) this.#ephemeralHeld.push(frame);
      return;
    }
    if (this.#ws.getBufferedAmount() > maxBufferedBytes) return;
    this.#ws.cork(() => this.#ws.send(frame.text, false));
    this.#metrics?.framesSent(ephemeralType(frame), 1);
  }

  /** Keeps ephemeral frames back until `releaseEphemeral` (while a snapshot of them is read). */
  holdEphemeral(): void {
    this.#ephemeralHeld ??= [];
  }

  /**
   * Sends `snapshot`, then the ephemeral frames held meanwhile (newer, or as new), leaving out a
   * presence frame that repeats what the client was just told about that user.
   */
  releaseEphemeral(snapshot: readonly EphemeralFrame[]): void {
    const held = this.#ephemeralHeld ?? [];
    this.#ephemeralHeld = undefined;
    if (this.#closed) return;
    const told = new Map<string, boolean>();
    this.#ws.cork(() => {
      for (const frame of [...snapshot, ...held]) {
        if (frame.presence) {
          if (told.get(frame.presence.userId) === frame.presence.online) continue;
          told.set(frame.presence.userId, frame.presence.online);
        }
        this.#ws.send(frame.text, false);
        this.#metrics?.framesSent(ephemeralType(frame), 1);
      }
    });
  }

  /** Keeps a live frame back while the connection is catching up. */
  hold(frame: FrameText): void {
    if (this.#closed || this.#live) return;
    if (this.#held.length >= this.#maxHeldFrames) {
      this.#held = [];
      this.#heldOverflowed = true;
    }
    this.#held.push(frame);
  }

  /** Removes and returns the held frames after `after`, in log order. */
  takeHeld(after: bigint): FrameText[] {
    const frames = this.#held.filter((frame) => frame.position > after);
    this.#held = [];
    return frames;
  }

  /** The client was told to resync; frames held from now on are delivered again. */
  clearHeldOverflow(): void {
    this.#heldOverflowed = false;
  }

  /** From now on uWS pub/sub delivers this user's frames to the socket directly. */
  goLive(): void {
    if (this.#closed) return;
    this.#live = true;
    this.#ws.subscribe(this.topic);
  }

  /** True only the first time: uWS reports every message it drops, one log line is enough. */
  noteOverBackpressureLimit(): boolean {
    const first = !this.#overBackpressureLimit;
    this.#overBackpressureLimit = true;
    return first;
  }

  /** Resolves at the next drain (or close) of the socket. */
  whenDrained(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  notifyDrained(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Calls `onExpired` when the access token expires (its `exp`, in seconds since the epoch). */
  expireAt(expSeconds: number, onExpired: () => void, now: () => number = Date.now): void {
    clearTimeout(this.#expiryTimer);
    const arm = (): void => {
      const remaining = expSeconds * 1000 - now();
      if (remaining <= 0) {
        this.#expiryTimer = undefined;
        onExpired();
        return;
      }
      this.#expiryTimer = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
    };
    arm();
  }

  /** Sends a close frame with `code` and `reason`; uWS runs the close handler at once. */
  end(code: number, reason: string): void {
    if (!this.#closed) this.#ws.end(code, reason);
  }

  /** Called from the uWS close handler: the socket must not be touched any more. */
  markClosed(): void {
    this.#closed = true;
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    this.#held = [];
    this.#ephemeralHeld = undefined;
    this.notifyDrained();
  }
}
