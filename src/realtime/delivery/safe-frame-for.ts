import type { LoggedEvent } from '../../log.js';
import type { Logger } from 'pino';
import type { FrameFor, RealtimeFrame } from '../realtime-frame.js';

/**
 * Wraps the domain mapping so that one event it cannot map (a bug, an unexpected shape) is logged
 * and skipped instead of stopping the feed or failing a resume.
 */
export function safeFrameFor(
  frameFor: FrameFor,
  logger: Logger,
): (event: LoggedEvent) => RealtimeFrame | undefined {
  return (event) => {
    try {
      return frameFor(event);
    } catch (error) {
      logger.error(
        { err: error, position: event.position.toString(), eventType: event.type },
        'realtime frame mapping failed; event skipped',
      );
      return undefined;
    }
  };
}
