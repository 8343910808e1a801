import { Type } from '@sinclair/typebox';
import type pg from 'pg';
import { caller } from '../http/authenticate.js';
import { MinPositionHeaders, QUERY, problems } from '../http-docs/openapi.js';
import type { HttpApp } from '../http/http-app.js';
import { LastMessage, lastMessageOf, requireMember } from './conversation-queries.js';

const Member = Type.Object({
  userId: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  lastReadMessageId: Type.Union([Type.String(), Type.Null()], {
    description:
      "the member's read marker as the caller may see it: their own always, others' unless private",
  }),
});

/** GET /v1/conversations/{id}: one conversation with its members and their read receipts. */
export function conversationDetailQuery(deps: { pool: pg.Pool }) {
  return async (app: HttpApp) => {
    app.get(
      '/v1/conversations/:conversationId',
      {
        schema: {
          tags: ['conversations'],
          summary: 'One conversation, with its members and their read receipts',
          operationId: 'getConversation',
          description:
            "`members[].lastReadMessageId` is each member's read marker; another member's private marker reads as null.",
          security: [{ bearer: [] }],
          headers: MinPositionHeaders,
          params: Type.Object({ conversationId: Type.String({ format: 'uuid' }) }),
          response: {
            200: Type.Object(
              {
                conversationId: Type.String(),
                kind: Type.Union([Type.Literal('direct'), Type.Literal('group')]),
                title: Type.Union([Type.String(), Type.Null()]),
                members: Type.Array(Member),
                lastMessage: Type.Union([LastMessage, Type.Null()]),
                unreadCount: Type.Integer(),
              },
              { description: 'The conversation' },
            ),
            ...problems(...QUERY, {
              403: 'You are not a member of this conversation',
              404: 'No such conversation',
            }),
          },
        },
      },
      async (request) => {
        const conversationId = request.params.conversationId.toLowerCase();
        const me = caller(request).userId;
        await requireMember(deps.pool, conversationId, me);
        const [conversation, members] = await Promise.all([
          deps.pool.query<{
            kind: 'direct' | 'group';
            title: string | null;
            unreadCount: number;
            lastMessageId: string | null;
            lastMessageSenderId: string | null;
            lastMessageBody: string | null;
            lastMessageSentAt: Date | null;
            lastMessagePosition: string | null;
            lastMessageDeleted: boolean;
            lastMessageHidden: boolean;
          }>(
            `SELECT c.kind, c.title, m.unread_count AS "unreadCount", c.last_message_id AS "lastMessageId",
               c.last_message_sender_id AS "lastMessageSenderId", c.last_message_body AS "lastMessageBody",
               c.last_message_sent_at AS "lastMessageSentAt", c.last_message_position AS "lastMessagePosition",
               c.last_message_deleted AS "lastMessageDeleted",
               c.kind = 'group' AND EXISTS (
                 SELECT FROM blocks b WHERE b.blocker_id = $2 AND b.blocked_id = c.last_message_sender_id
               ) AS "lastMessageHidden"
             FROM conversations c JOIN conversation_members m ON m.conversation_id = c.conversation_id AND m.user_id = $2
             WHERE c.conversation_id = $1`,
            [conversationId, me],
          ),
          deps.pool.query<{
            userId: string;
            username: string;
            displayName: string;
            lastReadMessageId: string | null;
          }>(
            `SELECT m.user_id AS "userId", u.username, u.display_name AS "displayName",
               CASE WHEN m.user_id = $2 THEN m.last_read_message_id ELSE m.shared_read_message_id END
                 AS "lastReadMessageId"
             FROM conversation_members m JOIN users u USING (user_id)
             WHERE m.conversation_id = $1 ORDER BY u.username`,
            [conversationId, me],
          ),
        ]);
        const row = conversation.rows[0]!;
        return {
          conversationId,
          kind: row.kind,
          title: row.title,
          members: members.rows,
          lastMessage: lastMessageOf(row),
          unreadCount: row.unreadCount,
        };
      },
    );
  };
}
