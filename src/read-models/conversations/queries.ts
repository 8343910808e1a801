import type pg from 'pg';

/** The columns of a conversation's last message, as the conversation queries select them. */
export interface LastMessageColumns {
  readonly lastMessageId: string | null;
  readonly lastMessageSenderId: string | null;
  readonly lastMessageBody: string | null;
  readonly lastMessageSentAt: Date | null;
  readonly lastMessagePosition: string | null;
  readonly lastMessageDeleted: boolean;
  /** In a group, the viewer blocks its sender: the viewer sees nothing of it. */
  readonly lastMessageHidden: boolean;
}

export interface ConversationRow extends LastMessageColumns {
  readonly conversationId: string;
  readonly kind: 'direct' | 'group';
  readonly title: string | null;
  readonly activityPosition: string;
  readonly unreadCount: number;
}

export interface MemberRow {
  readonly conversationId: string;
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
}

export interface MemberReceiptRow {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  /** The member's read marker as the viewer may see it. */
  readonly lastReadMessageId: string | null;
}

/** Whether the conversation exists and whether the user is one of its members; undefined: no such conversation. */
export async function membershipOf(
  pool: pg.Pool,
  conversationId: string,
  userId: string,
): Promise<{ readonly member: boolean } | undefined> {
  const { rows } = await pool.query<{ member: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = $1 AND user_id = $2) AS member
     FROM conversations WHERE conversation_id = $1`,
    [conversationId, userId],
  );
  return rows[0];
}

/**
 * A page of the user's conversations, newest activity first, below the activity position
 * `before` (null: from the newest), with the user's unread count and the last message.
 */
export async function conversationsOf(
  pool: pg.Pool,
  query: { readonly userId: string; readonly before: string | null; readonly limit: number },
): Promise<ConversationRow[]> {
  const { rows } = await pool.query<ConversationRow>(
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
    [query.userId, query.before, query.limit],
  );
  return rows;
}

/** The members of the conversations, with their names, by username. */
export async function membersOf(pool: pg.Pool, conversationIds: readonly string[]): Promise<MemberRow[]> {
  const { rows } = await pool.query<MemberRow>(
    `SELECT m.conversation_id AS "conversationId", m.user_id AS "userId", u.username, u.display_name AS "displayName"
     FROM conversation_members m JOIN users u USING (user_id)
     WHERE m.conversation_id = ANY($1::uuid[]) ORDER BY u.username`,
    [conversationIds],
  );
  return rows;
}

/** One conversation as its member `userId` sees it; undefined if they are not a member. */
export async function conversationOf(
  pool: pg.Pool,
  conversationId: string,
  userId: string,
): Promise<Omit<ConversationRow, 'conversationId' | 'activityPosition'> | undefined> {
  const { rows } = await pool.query<Omit<ConversationRow, 'conversationId' | 'activityPosition'>>(
    `SELECT c.kind, c.title, m.unread_count AS "unreadCount", c.last_message_id AS "lastMessageId",
       c.last_message_sender_id AS "lastMessageSenderId", c.last_message_body AS "lastMessageBody",
       c.last_message_sent_at AS "lastMessageSentAt", c.last_message_position AS "lastMessagePosition",
       c.last_message_deleted AS "lastMessageDeleted",
       c.kind = 'group' AND EXISTS (
         SELECT FROM blocks b WHERE b.blocker_id = $2 AND b.blocked_id = c.last_message_sender_id
       ) AS "lastMessageHidden"
     FROM conversations c JOIN conversation_members m ON m.conversation_id = c.conversation_id AND m.user_id = $2
     WHERE c.conversation_id = $1`,
    [conversationId, userId],
  );
  return rows[0];
}

/**
 * The conversation's members with their read markers as `viewerId` sees them: their own newest
 * marker, the others' newest one that is not private. By username.
 */
export async function membersWithReceipts(
  pool: pg.Pool,
  conversationId: string,
  viewerId: string,
): Promise<MemberReceiptRow[]> {
  const { rows } = await pool.query<MemberReceiptRow>(
    `SELECT m.user_id AS "userId", u.username, u.display_name AS "displayName",
       CASE WHEN m.user_id = $2 THEN m.last_read_message_id ELSE m.shared_read_message_id END
         AS "lastReadMessageId"
     FROM conversation_members m JOIN users u USING (user_id)
     WHERE m.conversation_id = $1 ORDER BY u.username`,
    [conversationId, viewerId],
  );
  return rows;
}

/** The ids of the conversation's current members. */
export async function memberIdsOf(pool: pg.Pool, conversationId: string): Promise<string[]> {
  const { rows } = await pool.query<{ user_id: string }>(
    'SELECT user_id::text FROM conversation_members WHERE conversation_id = $1',
    [conversationId],
  );
  return rows.map((row) => row.user_id);
}

/** A page of the user's conversations after the id `after`, by id, with their members' ids (their export). */
export async function conversationsPage(
  pool: pg.Pool,
  userId: string,
  after: string,
  limit: number,
): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.query<Record<string, unknown>>(
    `SELECT c.conversation_id AS "conversationId", c.kind, c.title, m.joined_at AS "joinedAt",
            m.last_read_seq AS "lastReadSeq", m.unread_count AS "unreadCount",
            ARRAY(SELECT o.user_id FROM conversation_members o
                   WHERE o.conversation_id = c.conversation_id ORDER BY o.user_id) AS "memberIds"
       FROM conversation_members m JOIN conversations c USING (conversation_id)
      WHERE m.user_id = $1 AND m.conversation_id > $2
      ORDER BY m.conversation_id LIMIT $3`,
    [userId, after, limit],
  );
  return rows;
}
