import type { MessageDeleted, MessageEdited, MessageSent } from '../domain/conversation/events.js';
import { defineProjection } from './projection.js';

/** Every message of every conversation, for paged history; a deleted message keeps no body. */
export const historyProjection = defineProjection({
  name: 'history',
  tables: ['messages'],
  handlers: {
    async MessageSent(client, event) {
      const data = event.data as MessageSent['data'];
      await client.query(
        `INSERT INTO messages (message_id, conversation_id, seq, sender_id, body, sent_at, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (message_id) DO NOTHING`,
        [
          data.messageId,
          data.conversationId,
          data.seq,
          data.senderId,
          data.body,
          data.sentAt,
          event.position.toString(),
        ],
      );
    },
    async MessageEdited(client, event) {
      const data = event.data as MessageEdited['data'];
      await client.query(
        'UPDATE messages SET body = $2, edited_at = $3 WHERE message_id = $1 AND NOT deleted',
        [data.messageId, data.body, data.editedAt],
      );
    },
    async MessageDeleted(client, event) {
      const data = event.data as MessageDeleted['data'];
      await client.query('UPDATE messages SET body = NULL, deleted = true WHERE message_id = $1', [
        data.messageId,
      ]);
    },
  },
});
