import type { Connection } from '../connection.js';

interface Pending {
  readonly connection: Connection;
  readonly position: bigint;
  readonly text: string;
  readonly sent: () => void;
}

/**
 * Acks held until the command's own event frame has gone out on the connection: an ack is sent
 * once the node's feed has handed out the command's position (so its frame was published, or held
 * for a catching-up connection) and the connection is live (so any held frame went first). A
 * client therefore always sees `message.sent` before the `ack` of its send.
 */
export class PendingAcks {
  #pending: Pending[] = [];
  readonly #feedPosition: () => bigint;

  constructor(feedPosition: () => bigint) {
    this.#feedPosition = feedPosition;
  }

  /** Sends `text` on the connection after the frame at `position` (at once when there is none). */
  send(connection: Connection, position: bigint | undefined, text: string, sent: () => void): void {
    if (position === undefined || this.#ready(connection, position)) {
      connection.send(text);
      sent();
      return;
    }
    this.#pending.push({ connection, position, text, sent });
  }

  /** Sends every ack that is due; call after the feed hands out events and when a connection goes live. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const waiting: Pending[] = [];
    for (const pending of this.#pending) {
      if (pending.connection.isClosed) pending.sent();
      else if (this.#ready(pending.connection, pending.position)) {
        pending.connection.send(pending.text);
        pending.sent();
      } else waiting.push(pending);
    }
    this.#pending = waiting;
  }

  #ready(connection: Connection, position: bigint): boolean {
    return connection.isLive && this.#feedPosition() >= position;
  }
}
