import type { LoggedEvent } from '../../log.js';
import type { RealtimeMetrics } from '../../http/metrics.js';
import { withEventsSpan, type Tracing } from '../../platform/tracing.js';
import type { Connection } from '../connection.js';
import type { RealtimeFrame } from '../realtime-frame.js';
import { serialiseFrame, userTopic } from '../wire-format.js';

export interface FanOut {
  /** Sends the event's frame (if any) to its audience: live sockets by pub/sub, catching-up ones held. */
  deliver(event: LoggedEvent): void;
  /** From now until `release`, the connection's frames are held for it instead of published to it. */
  holdFor(connection: Connection): void;
  release(connection: Connection): void;
}

export function createFanOut(deps: {
  /** Publishes a text message to every socket subscribed to `topic` (uWS `app.publish`). */
  publish: (topic: string, text: string) => void;
  frameFor: (event: LoggedEvent) => RealtimeFrame | undefined;
  metrics?: RealtimeMetrics;
  /** How many sockets a topic reaches (uWS `app.numSubscribers`), for `metrics`. */
  subscribers?: (topic: string) => number;
  tracing?: Tracing | undefined;
}): FanOut {
  const catchingUp = new Map<string, Set<Connection>>();

  return {
    deliver(event) {
      const frame = deps.frameFor(event);
      if (!frame) return;
      withEventsSpan(
        deps.tracing,
        'realtime fan-out',
        () => [event],
        { 'chat.frame.type': frame.type },
        () => {
          // Serialised once, whatever the number of connections it reaches.
          const text = serialiseFrame(frame);
          let sent = 0;
          for (const userId of new Set(frame.audience)) {
            const topic = userTopic(userId);
            if (deps.metrics) sent += deps.subscribers?.(topic) ?? 0;
            deps.publish(topic, text.text);
            for (const connection of catchingUp.get(userId) ?? []) {
              connection.hold(text);
              sent += 1;
            }
          }
          if (sent > 0) deps.metrics?.framesSent(frame.type, sent);
        },
      );
    },
    holdFor(connection) {
      const set = catchingUp.get(connection.userId) ?? new Set<Connection>();
      set.add(connection);
      catchingUp.set(connection.userId, set);
    },
    release(connection) {
      const set = catchingUp.get(connection.userId);
      if (!set) return;
      set.delete(connection);
      if (set.size === 0) catchingUp.delete(connection.userId);
    },
  };
}
