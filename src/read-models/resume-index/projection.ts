import type { LoggedEvent } from '../../log.js';
import { isUuid } from '../../platform/uuid.js';
import type { Projection } from '../projection.js';
import { USER_EVENT_POSITIONS } from './tables.js';

/*
 * The resume index: per user, the positions of the events whose frames are for them (with the
 * stream and revision to read each back). A resume after any absence reads the user's own
 * positions from it (queries.ts) and then exactly those events, so its cost follows the user's
 * events, not everything written meanwhile.
 */

export const RESUME_INDEX = 'resume_index';

const INSERT = {
  name: 'resume-index-insert',
  text: `INSERT INTO ${USER_EVENT_POSITIONS} (user_id, position, stream_name, revision)
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::bigint[])
         ON CONFLICT DO NOTHING`,
};

/** The event types that have frames (realtime/delivery/frames.ts): the only ones the index holds. */
const FRAMED_TYPES: readonly LoggedEvent['type'][] = [
  'DirectConversationStarted',
  'GroupCreated',
  'MemberAdded',
  'MemberRemoved',
  'MessageSent',
  'MessageEdited',
  'MessageDeleted',
  'ConversationRead',
  'ContactAdded',
  'ContactRemoved',
];

/**
 * The resume index kept by the realtime node's own mapping of events to frames (`frameFor`), so
 * that it holds exactly the events a live connection would have been sent.
 */
export function resumeIndexProjection(
  frameFor: (event: LoggedEvent) => { readonly audience: readonly string[] } | undefined,
): Projection {
  /** Who the event's frame is for; an event the mapping cannot read (a bug, a bad shape) is for nobody. */
  const audienceOf = (event: LoggedEvent): readonly string[] => {
    try {
      return frameFor(event)?.audience ?? [];
    } catch {
      return [];
    }
  };
  return {
    name: RESUME_INDEX,
    tables: [USER_EVENT_POSITIONS],
    handles: new Set(FRAMED_TYPES),
    // Positions only: no body, email or name is kept.
    readsPersonalData: new Set(),
    async applyBatch(client, events) {
      const users: string[] = [];
      const positions: string[] = [];
      const streams: string[] = [];
      const revisions: string[] = [];
      for (const event of events) {
        for (const userId of new Set(audienceOf(event))) {
          if (!isUuid(userId)) continue;
          users.push(userId);
          positions.push(event.position.toString());
          streams.push(event.streamName);
          revisions.push(event.revision.toString());
        }
      }
      if (users.length > 0) await client.query({ ...INSERT, values: [users, positions, streams, revisions] });
    },
  };
}
