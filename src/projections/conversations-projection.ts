import type pg from 'pg';
import type {
  ConversationRead,
  DirectConversationStarted,
  GroupCreated,
  MemberAdded,
  MemberRemoved,
  MessageDeleted,
  MessageEdited,
  MessageSent,
} from '../domain/conversation/events.js';
import { defineProjection } from './projection.js';

async function insertConversation(
  client: pg.ClientBase,
  position: bigint,
  conversation: {
    conversationId: string;
    kind: 'direct' | 'group';
    title: string | null;
    createdBy: string | null;
    createdAt: string;
    memberIds: readonly string[];
  },
): Promise<void> {
  await client.query(
    `INSERT INTO conversations (conversation_id, kind, title, created_by, created_at, activity_position)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (conversation_id) DO NOTHING`,
    [
      conversation.conversationId,
      conversation.kind,
      conversation.title,
      conversation.createdBy,
      conversation.createdAt,
      position.toString(),
    ],
  );
  await client.query(
    `INSERT INTO conversation_members (conversation_id, user_id, joined_at)
     SELECT $1, unnest($2::uuid[]), $3 ON CONFLICT DO NOTHING`,
    [conversation.conversationId, conversation.memberIds, conversation.createdAt],
  );
}

/** Conversations with their current members, last message and each member's unread count. */
export const conversationsProjection = defineProjection({
  name: 'conversations',
  tables: ['conversation_members', 'conversations'],
  handlers: {
    async DirectConversationStarted(client, event) {
      const data = event.data as DirectConversationStarted['data'];
      await insertConversation(client, event.position, {
        conversationId: data.conversationId,
        kind: 'direct',
        title: null,
        createdBy: null,
        createdAt: data.startedAt,
        memberIds: data.memberIds,
      });
    },
    async GroupCreated(client, event) {
      const data = event.data as GroupCreated['data'];
      await insertConversation(client, event.position, {
        conversationId: data.conversationId,
        kind: 'group',
        title: data.title,
        createdBy: data.creatorId,
        createdAt: data.createdAt,
        memberIds: data.memberIds,
      });
    },
    async MemberAdded(client, event) {
      const data = event.data as MemberAdded['data'];
      await client.query(
        `INSERT INTO conversation_members (conversation_id, user_id, joined_at, last_read_seq, unread_count)
         VALUES ($1, $2, $3, $4, 0) ON CONFLICT DO NOTHING`,
        [data.conversationId, data.userId, data.addedAt, data.readUpToSeq],
      );
      await client.query('UPDATE conversations SET activity_position = $2 WHERE conversation_id = $1', [
        data.conversationId,
        event.position.toString(),
      ]);
    },
    async MemberRemoved(client, event) {
      const data = event.data as MemberRemoved['data'];
      await client.query('DELETE FROM conversation_members WHERE conversation_id = $1 AND user_id = $2', [
        data.conversationId,
        data.userId,
      ]);
    },
    async MessageSent(client, event) {
      const data = event.data as MessageSent['data'];
      const position = event.position.toString();
      await client.query(
        `UPDATE conversations SET activity_position = $2, last_message_id = $3, last_message_sender_id = $4,
           last_message_body = $5, last_message_sent_at = $6, last_message_position = $2, last_message_deleted = false
         WHERE conversation_id = $1`,
        [data.conversationId, position, data.messageId, data.senderId, data.body, data.sentAt],
      );
      await client.query(
        `UPDATE conversation_members SET unread_count = unread_count + 1
         WHERE conversation_id = $1 AND user_id <> $2 AND last_read_seq < $3`,
        [data.conversationId, data.senderId, data.seq],
      );
    },
    async MessageEdited(client, event) {
      const data = event.data as MessageEdited['data'];
      await client.query(
        'UPDATE conversations SET last_message_body = $3 WHERE conversation_id = $1 AND last_message_id = $2',
        [data.conversationId, data.messageId, data.body],
      );
    },
    async MessageDeleted(client, event) {
      const data = event.data as MessageDeleted['data'];
      await client.query(
        `UPDATE conversations SET last_message_body = NULL, last_message_deleted = true
         WHERE conversation_id = $1 AND last_message_id = $2`,
        [data.conversationId, data.messageId],
      );
      await client.query(
        `UPDATE conversation_members SET unread_count = greatest(unread_count - 1, 0)
         WHERE conversation_id = $1 AND user_id <> $2 AND last_read_seq < $3`,
        [data.conversationId, data.senderId, data.seq],
      );
    },
    async ConversationRead(client, event) {
      const data = event.data as ConversationRead['data'];
      await client.query(
        `UPDATE conversation_members SET last_read_seq = $3, unread_count = $4
         WHERE conversation_id = $1 AND user_id = $2`,
        [data.conversationId, data.userId, data.readUpToSeq, data.unreadCount],
      );
    },
  },
});
