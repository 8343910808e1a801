/**
 * What the realtime node pushes for one event of the global log: the mapping from domain events
 * (`frames.ts`) produces these, the server serialises each once and sends it to every open
 * connection of every user in `audience`.
 */
export interface RealtimeFrame {
  /** Wire name of the frame, e.g. `message.sent`. */
  readonly type: string;
  /** Global log position of the event the frame stands for. */
  readonly position: bigint;
  /** User ids the frame is for; everyone else never sees it. */
  readonly audience: readonly string[];
  /** The frame's payload as the client reads it (must be JSON-serialisable). */
  readonly data: object;
}

/** Maps one recorded event to its frame, or `undefined` when the event concerns no connected client. */
export type FrameFor = (event: LoggedEvent) => RealtimeFrame | undefined;
import type { LoggedEvent } from '../log.js';
