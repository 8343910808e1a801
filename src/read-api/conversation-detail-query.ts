import { Type } from '@sinclair/typebox';
import type pg from 'pg';
import { caller } from '../http/authenticate.js';
import { MinPositionHeaders, QUERY, problems } from '../http-docs/openapi.js';
import type { HttpApp } from '../http/http-app.js';
import { conversationOf, membersWithReceipts } from '../read-models/conversations/queries.js';
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
          conversationOf(deps.pool, conversationId, me),
          membersWithReceipts(deps.pool, conversationId, me),
        ]);
        const row = conversation!;
        return {
          conversationId,
          kind: row.kind,
          title: row.title,
          members,
          lastMessage: lastMessageOf(row),
          unreadCount: row.unreadCount,
        };
      },
    );
  };
}
