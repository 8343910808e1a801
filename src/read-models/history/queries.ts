import type pg from 'pg';

export interface MessageRow {
  readonly messageId: string;
  readonly senderId: string;
  readonly body: string | null;
  readonly sentAt: Date;
  readonly editedAt: Date | null;
  readonly deleted: boolean;
  readonly position: string;
}

/**
 * A page of a conversation's messages before `before` (a position; null: the newest), newest
 * first, as `viewerId` may see them: in a group, nothing of the users the viewer blocks.
 */
export async function messagesPage(
  pool: pg.Pool,
  query: {
    readonly conversationId: string;
    readonly viewerId: string;
    readonly before: string | null;
    readonly limit: number;
  },
): Promise<MessageRow[]> {
  const { rows } = await pool.query<MessageRow>(
    `SELECT message_id AS "messageId", sender_id AS "senderId", body, sent_at AS "sentAt",
       edited_at AS "editedAt", deleted, position
     FROM messages
     WHERE conversation_id = $1 AND ($2::bigint IS NULL OR position < $2::bigint)
       AND NOT EXISTS (
         SELECT FROM blocks b JOIN conversations c ON c.conversation_id = $1 AND c.kind = 'group'
          WHERE b.blocker_id = $4 AND b.blocked_id = messages.sender_id
       )
     ORDER BY position DESC LIMIT $3`,
    [query.conversationId, query.before, query.limit, query.viewerId],
  );
  return rows;
}

/** A page of the messages the sender wrote after the position `after`, in log order (their export). */
export async function sentMessagesPage(
  pool: pg.Pool,
  senderId: string,
  after: string,
  limit: number,
): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.query<Record<string, unknown>>(
    `SELECT message_id AS "messageId", conversation_id AS "conversationId", body, sent_at AS "sentAt",
            edited_at AS "editedAt", deleted, m.position::text AS position
       FROM messages m WHERE sender_id = $1 AND m.position > $2
      ORDER BY m.position LIMIT $3`,
    [senderId, after, limit],
  );
  return rows;
}
