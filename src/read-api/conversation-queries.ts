import { Type } from '@sinclair/typebox';
import type pg from 'pg';
import { MinPositionHeaders, QUERY, problems } from '../http-docs/openapi.js';
import { refuse } from '../domain/errors.js';
import { caller } from '../http/authenticate.js';
import type { HttpApp } from '../http/http-app.js';
import {
  conversationsOf,
  membersOf,
  membershipOf,
  type LastMessageColumns,
} from '../read-models/conversations/queries.js';
import { messagesPage } from '../read-models/history/queries.js';
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

/** 403 for a conversation the caller is not a member of, 404 for one that does not exist. */
export async function requireMember(pool: pg.Pool, conversationId: string, userId: string): Promise<void> {
  const membership = await membershipOf(pool, conversationId, userId);
  if (!membership) throw refuse('conversation_not_found', 'no such conversation');
  if (!membership.member) throw refuse('not_a_member', 'you are not a member of this conversation');
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
        const rows = await conversationsOf(deps.pool, {
          userId: caller(request).userId,
          before: cursor ?? null,
          limit: limit + 1,
        });
        const page = rows.slice(0, limit);
        const members = await membersOf(
          deps.pool,
          page.map((row) => row.conversationId),
        );
        return {
          items: page.map((row) => ({
            conversationId: row.conversationId,
            kind: row.kind,
            title: row.title,
            members: members
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
        const rows = await messagesPage(deps.pool, {
          conversationId,
          viewerId: caller(request).userId,
          before: before ?? null,
          limit: limit + 1,
        });
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
