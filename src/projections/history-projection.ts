import type { MessageSent } from '../domain/conversation/events.js';
import { defineProjection } from './projection.js';

/** Every message of every conversation, for paged history. */
export const historyProjection = defineProjection({
  name: 'history',
  tables: ['messages'],
  handlers: {
    async MessageSent(client, event) {
      const data = event.data as MessageSent['data'];
      await client.query(
        `INSERT INTO messages (message_id, conversation_id, sender_id, body, sent_at, position)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING`,
        [
          data.messageId,
          data.conversationId,
          data.senderId,
          data.body,
          data.sentAt,
          event.position.toString(),
        ],
      );
    },
  },
});
