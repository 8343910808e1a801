import type { Connection } from '../connection.js';
import type { EphemeralFrame } from '../wire-format.js';
import { ephemeralFrame, type EphemeralMessage } from './ephemeral-messages.js';

/** This node's open connections by user: where ephemeral messages from any node are delivered. */
export class LocalConnections {
  readonly #byUser = new Map<string, Set<Connection>>();
  readonly #maxBufferedBytes: number;

  /** `maxBufferedBytes`: an ephemeral frame is dropped for a socket buffering more than this. */
  constructor(maxBufferedBytes: number) {
    this.#maxBufferedBytes = maxBufferedBytes;
  }

  add(connection: Connection): void {
    const set = this.#byUser.get(connection.userId) ?? new Set<Connection>();
    set.add(connection);
    this.#byUser.set(connection.userId, set);
  }

  remove(connection: Connection): void {
    const set = this.#byUser.get(connection.userId);
    if (!set?.delete(connection)) return;
    if (set.size === 0) this.#byUser.delete(connection.userId);
  }

  /** The user's open connections on this node. */
  of(userId: string): readonly Connection[] {
    return [...(this.#byUser.get(userId) ?? [])];
  }

  /** Sends the message's frame (serialised once) to every local connection of its recipients. */
  deliver(message: EphemeralMessage): void {
    let frame: EphemeralFrame | undefined;
    for (const userId of new Set(message.to)) {
      for (const connection of this.#byUser.get(userId) ?? []) {
        frame ??= ephemeralFrame(message);
        connection.sendEphemeral(frame, this.#maxBufferedBytes);
      }
    }
  }
}
