import { Type } from '@sinclair/typebox';
import type pg from 'pg';
import { MinPositionHeaders, QUERY, problems } from '../http-docs/openapi.js';
import { refuse } from '../domain/errors.js';
import { caller } from '../http/authenticate.js';
import type { HttpApp } from '../http/http-app.js';
import { Cursor, Limit, Position, UserSummary } from './schemas.js';

export const LastMessage = Type.Object({
  messageId: Type.String(),
  senderId: Type.String(),
  body: Type.Union([Type.String(), Type.Null()]),
  sentAt: Type.String(),
  deleted: Type.Boolean(),
  position: Position,
});
export const ConversationItem = Type.Object({
  conversationId: Type.String(),
  kind: Type.Union([Type.Literal('direct'), Type.Literal('group')]),
  title: Type.Union([Type.String(), Type.Null()]),
  members: Type.Array(UserSummary),
  lastMessage: Type.Union([LastMessage, Type.Null()]),
  unreadCount: Type.Integer(),
});
export const MessageItem = Type.Object({
  messageId: Type.String(),
  senderId: Type.String(),
  body: Type.Union([Type.String(), Type.Null()]),
  sentAt: Type.String(),
  editedAt: Type.Optional(Type.String()),
  deleted: Type.Boolean(),
  position: Position,
});

interface ConversationRow {
  conversationId: string;
  kind: 'direct' | 'group';
  title: string | null;
  activityPosition: string;
  unreadCount: number;
  lastMessageId: string | null;
  lastMessageSenderId: string | null;
  lastMessageBody: string | null;
  lastMessageSentAt: Date | null;
  lastMessagePosition: string | null;
  lastMessageDeleted: boolean;
  lastMessageHidden: boolean;
}

/** 403 for a conversation the caller is not a member of, 404 for one that does not exist. */
export async function requireMember(pool: pg.Pool, conversationId: string, userId: string): Promise<void> {
  const { rows } = await pool.query<{ member: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = $1 AND user_id = $2) AS member
     FROM conversations WHERE conversation_id = $1`,
    [conversationId, userId],
  );
  if (!rows[0]) throw refuse('conversation_not_found', 'no such conversation');
  if (!rows[0].member) throw refuse('not_a_member', 'you are not a member of this conversation');
}

/** The columns of a conversation's last message, as both conversation queries select them. */
export interface LastMessageColumns {
  readonly lastMessageId: string | null;
  readonly lastMessageSenderId: string | null;
  readonly lastMessageBody: string | null;
  readonly lastMessageSentAt: Date | null;
  readonly lastMessagePosition: string | null;
  readonly lastMessageDeleted: boolean;
  readonly lastMessageHidden: boolean;
}

/** The conversation's last message as the caller may see it, or null. */
export function lastMessageOf(row: LastMessageColumns) {
  return !row.lastMessageHidden &&
    row.lastMessageId &&
    row.lastMessageSenderId &&
    row.lastMessageSentAt &&
    row.lastMessagePosition
    ? {
        messageId: row.lastMessageId,
        senderId: row.lastMessageSenderId,
        body: row.lastMessageDeleted ? null : row.lastMessageBody,
        sentAt: row.lastMessageSentAt.toISOString(),
        deleted: row.lastMessageDeleted,
        position: row.lastMessagePosition,
      }
    : null;
}

export function conversationQueries(deps: { pool: pg.Pool }) {
  return async (app: HttpApp) => {
    app.get(
      '/v1/conversations',
      {
        schema: {
          tags: ['conversations'],
          summary: 'Your conversations, newest activity first',
          operationId: 'listConversations',
          security: [{ bearer: [] }],
          headers: MinPositionHeaders,
          querystring: Type.Object({ limit: Limit(100, 20), cursor: Type.Optional(Cursor) }),
          response: {
            200: Type.Object(
              {
                items: Type.Array(ConversationItem),
                nextCursor: Type.Union([Type.String(), Type.Null()]),
              },
              { description: 'A page of conversations; `nextCursor` gives the next (null: no more)' },
            ),
            ...problems(...QUERY),
          },
        },
      },
      async (request) => {
        const { limit, cursor } = request.query;
        const { rows } = await deps.pool.query<ConversationRow>(
          `SELECT c.conversation_id AS "conversationId", c.kind, c.title, c.activity_position AS "activityPosition",
             m.unread_count AS "unreadCount", c.last_message_id AS "lastMessageId",
             c.last_message_sender_id AS "lastMessageSenderId", c.last_message_body AS "lastMessageBody",
             c.last_message_sent_at AS "lastMessageSentAt", c.last_message_position AS "lastMessagePosition",
             c.last_message_deleted AS "lastMessageDeleted",
             -- In a group, the blocker sees nothing of the blocked user's messages (a direct
             -- conversation keeps its history; no new message can come through a block).
             c.kind = 'group' AND EXISTS (
               SELECT FROM blocks b WHERE b.blocker_id = $1 AND b.blocked_id = c.last_message_sender_id
             ) AS "lastMessageHidden"
           FROM conversation_members m JOIN conversations c USING (conversation_id)
           WHERE m.user_id = $1 AND ($2::bigint IS NULL OR c.activity_position < $2::bigint)
           ORDER BY c.activity_position DESC LIMIT $3`,
          [caller(request).userId, cursor ?? null, limit + 1],
        );
        const page = rows.slice(0, limit);
        const members = await deps.pool.query<{
          conversationId: string;
          userId: string;
          username: string;
          displayName: string;
        }>(
          `SELECT m.conversation_id AS "conversationId", m.user_id AS "userId", u.username, u.display_name AS "displayName"
           FROM conversation_members m JOIN users u USING (user_id)
           WHERE m.conversation_id = ANY($1::uuid[]) ORDER BY u.username`,
          [page.map((row) => row.conversationId)],
        );
        return {
          items: page.map((row) => ({
            conversationId: row.conversationId,
            kind: row.kind,
            title: row.title,
            members: members.rows
              .filter((member) => member.conversationId === row.conversationId)
              .map(({ userId, username, displayName }) => ({ userId, username, displayName })),
            lastMessage: lastMessageOf(row),
            unreadCount: row.unreadCount,
          })),
          nextCursor: rows.length > limit ? page.at(-1)!.activityPosition : null,
        };
      },
    );

    app.get(
      '/v1/conversations/:conversationId/messages',
      {
        schema: {
          tags: ['conversations'],
          summary: 'Message history, newest first',
          operationId: 'listMessages',
          description: 'Page back with `before` = the `nextCursor` of the previous page.',
          security: [{ bearer: [] }],
          headers: MinPositionHeaders,
          params: Type.Object({ conversationId: Type.String({ format: 'uuid' }) }),
          querystring: Type.Object({ limit: Limit(200, 50), before: Type.Optional(Cursor) }),
          response: {
            200: Type.Object(
              {
                items: Type.Array(MessageItem),
                nextCursor: Type.Union([Type.String(), Type.Null()]),
              },
              { description: 'A page of messages; a deleted one has `deleted: true` and `body: null`' },
            ),
            ...problems(...QUERY, {
              403: 'You are not a member of this conversation',
              404: 'No such conversation',
            }),
          },
        },
      },
      async (request) => {
        const { conversationId } = request.params;
        const { limit, before } = request.query;
        await requireMember(deps.pool, conversationId, caller(request).userId);
        const { rows } = await deps.pool.query<{
          messageId: string;
          senderId: string;
          body: string | null;
          sentAt: Date;
          editedAt: Date | null;
          deleted: boolean;
          position: string;
        }>(
          `SELECT message_id AS "messageId", sender_id AS "senderId", body, sent_at AS "sentAt",
             edited_at AS "editedAt", deleted, position
           FROM messages
           WHERE conversation_id = $1 AND ($2::bigint IS NULL OR position < $2::bigint)
             AND NOT EXISTS (
               SELECT FROM blocks b JOIN conversations c ON c.conversation_id = $1 AND c.kind = 'group'
                WHERE b.blocker_id = $4 AND b.blocked_id = messages.sender_id
             )
           ORDER BY position DESC LIMIT $3`,
          [conversationId, before ?? null, limit + 1, caller(request).userId],
        );
        const page = rows.slice(0, limit);
        return {
          items: page.map((row) => ({
            messageId: row.messageId,
            senderId: row.senderId,
            body: row.deleted ? null : row.body,
            sentAt: row.sentAt.toISOString(),
            ...(row.editedAt ? { editedAt: row.editedAt.toISOString() } : {}),
            deleted: row.deleted,
            position: row.position,
          })),
          nextCursor: rows.length > limit ? page.at(-1)!.position : null,
        };
      },
    );
  };
}
