import type { DirectConversationStarted, MessageSent } from '../domain/conversation/events.js';
import { defineProjection } from './projection.js';

/** Conversations with their members, last message and per-member unread counts. */
export const conversationsProjection = defineProjection({
  name: 'conversations',
  tables: ['conversation_members', 'conversations'],
  handlers: {
    async DirectConversationStarted(client, event) {
      const data = event.data as DirectConversationStarted['data'];
      await client.query(
        `INSERT INTO conversations (conversation_id, kind, created_at, activity_position)
         VALUES ($1, 'direct', $2, $3) ON CONFLICT (conversation_id) DO NOTHING`,
        [data.conversationId, data.startedAt, event.position.toString()],
      );
      await client.query(
        `INSERT INTO conversation_members (conversation_id, user_id, joined_at)
         SELECT $1, unnest($2::uuid[]), $3 ON CONFLICT DO NOTHING`,
        [data.conversationId, data.memberIds, data.startedAt],
      );
    },
    async MessageSent(client, event) {
      const data = event.data as MessageSent['data'];
      const position = event.position.toString();
      await client.query(
        `UPDATE conversations SET activity_position = $2, last_message_id = $3, last_message_sender_id = $4,
           last_message_body = $5, last_message_sent_at = $6, last_message_position = $2
         WHERE conversation_id = $1`,
        [data.conversationId, position, data.messageId, data.senderId, data.body, data.sentAt],
      );
      await client.query(
        `UPDATE conversation_members SET unread_count = unread_count + 1
         WHERE conversation_id = $1 AND user_id <> $2`,
        [data.conversationId, data.senderId],
      );
    },
  },
});
