import type { MessageSent } from '../../domain/conversation/events.js';
import { isErasedBody } from '../../domain/personal-data.js';
import type { Projection } from '../projection.js';

const INSERT = {
  name: 'history-insert',
  text: `INSERT INTO messages (message_id, conversation_id, seq, sender_id, body, sent_at, edited_at, deleted, position)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::uuid[], $5::text[], $6::timestamptz[],
                              $7::timestamptz[], $8::boolean[], $9::bigint[])
         ON CONFLICT (message_id) DO NOTHING`,
};
const EDIT = {
  name: 'history-edit',
  text: `UPDATE messages m SET body = CASE WHEN m.deleted THEN NULL ELSE e.body END,
                             deleted = m.deleted OR e.body IS NULL, edited_at = e.edited_at
           FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS e (message_id, body, edited_at)
          WHERE m.message_id = e.message_id`,
};
/** Every message of erased senders reads as deleted. */
const ERASE_SENDERS = {
  name: 'history-erase-senders',
  text: 'UPDATE messages SET body = NULL, deleted = true WHERE sender_id = ANY ($1::uuid[]) AND NOT deleted',
};
const DELETE = {
  name: 'history-delete',
  text: 'UPDATE messages SET body = NULL, deleted = true WHERE message_id = ANY ($1::uuid[]) AND NOT deleted',
};

interface NewRow {
  readonly data: MessageSent['data'];
  readonly position: bigint;
  body: string | null;
  editedAt: string | null;
  deleted: boolean;
}

/**
 * Every message of every conversation, for paged history; a deleted message keeps no body.
 * Per batch: one insert of the new messages (with their edits and deletes already applied), one
 * update for the last edit of each older message, one for the older messages deleted.
 */
export const historyProjection: Projection = {
  name: 'history',
  tables: ['messages'],
  handles: new Set(['MessageSent', 'MessageEdited', 'MessageDeleted', 'UserErased']),
  async applyBatch(client, events) {
    const inserted = new Map<string, NewRow>();
    /** Older messages: the last edit made before any delete (an edit after a delete is void). */
    const edits = new Map<string, { body: string | null; editedAt: string }>();
    const deletes = new Set<string>();
    const erasedSenders = new Set<string>();
    for (const event of events) {
      if (event.type === 'MessageSent') {
        const { data } = event;
        // A body read after its key was destroyed: the message is deleted, or its sender erased.
        const erased = isErasedBody(data.body);
        if (!inserted.has(data.messageId)) {
          inserted.set(data.messageId, {
            data,
            position: event.position,
            body: erased ? null : data.body,
            editedAt: null,
            deleted: erased,
          });
        }
      } else if (event.type === 'UserErased') {
        erasedSenders.add(event.data.userId);
      } else if (event.type === 'MessageEdited') {
        const { data } = event;
        // An edit read after the key was destroyed still says when it was made, as it did live.
        const body = isErasedBody(data.body) ? null : data.body;
        const row = inserted.get(data.messageId);
        if (row) {
          if (!row.deleted) Object.assign(row, { body, editedAt: data.editedAt });
          else if (body === null) row.editedAt = data.editedAt;
        } else if (!deletes.has(data.messageId)) {
          edits.set(data.messageId, { body, editedAt: data.editedAt });
        }
      } else if (event.type === 'MessageDeleted') {
        const { data } = event;
        const row = inserted.get(data.messageId);
        if (row) Object.assign(row, { body: null, deleted: true });
        else deletes.add(data.messageId);
      }
    }
    if (inserted.size > 0) {
      const rows = [...inserted.values()];
      await client.query({
        ...INSERT,
        values: [
          rows.map((row) => row.data.messageId),
          rows.map((row) => row.data.conversationId),
          rows.map((row) => row.data.seq),
          rows.map((row) => row.data.senderId),
          rows.map((row) => row.body),
          rows.map((row) => row.data.sentAt),
          rows.map((row) => row.editedAt),
          rows.map((row) => row.deleted),
          rows.map((row) => row.position.toString()),
        ],
      });
    }
    if (edits.size > 0) {
      const ids = [...edits.keys()];
      const values = [...edits.values()];
      await client.query({
        ...EDIT,
        values: [ids, values.map((edit) => edit.body), values.map((edit) => edit.editedAt)],
      });
    }
    if (deletes.size > 0) await client.query({ ...DELETE, values: [[...deletes]] });
    if (erasedSenders.size > 0) await client.query({ ...ERASE_SENDERS, values: [[...erasedSenders]] });
  },
};
