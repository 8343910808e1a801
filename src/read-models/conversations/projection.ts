import type { EventType } from '../../domain/catalog.js';
import { isErasedBody } from '../../domain/personal-data.js';
import type { LoggedEvent } from '../../log.js';
import type pg from 'pg';
import type { Projection } from '../projection.js';

/*
 * Conversations with their current members, last message and each member's unread count.
 *
 * The frequent events (messages sent, edited, deleted; read markers) are folded per batch so that
 * each conversation row and each member row is written once, however many events touch it. The
 * rare ones that change who the members are (a conversation started, a member added or removed)
 * cut the batch: what came before is written, the rare event is applied on its own, and folding
 * starts again, so that unread counts are always computed against the right members.
 *
 * Longer than most files on purpose: the statements, the fold (MessageRun) and the cutting of a
 * batch are one algorithm, and each is only correct against the others.
 */

const INSERT_CONVERSATION = {
  name: 'conversations-insert',
  text: `INSERT INTO conversations (conversation_id, kind, title, created_by, created_at, activity_position)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (conversation_id) DO NOTHING`,
};
const INSERT_MEMBERS = {
  name: 'conversations-insert-members',
  text: `INSERT INTO conversation_members (conversation_id, user_id, joined_at)
         SELECT $1, unnest($2::uuid[]), $3 ON CONFLICT DO NOTHING`,
};
const ADD_MEMBER = {
  name: 'conversations-add-member',
  text: `INSERT INTO conversation_members (conversation_id, user_id, joined_at, last_read_seq, unread_count)
         VALUES ($1, $2, $3, $4, 0) ON CONFLICT DO NOTHING`,
};
const TOUCH = {
  name: 'conversations-touch',
  text: 'UPDATE conversations SET activity_position = $2 WHERE conversation_id = $1',
};
const REMOVE_MEMBER = {
  name: 'conversations-remove-member',
  text: 'DELETE FROM conversation_members WHERE conversation_id = $1 AND user_id = $2',
};
/** The last message sent in the batch, per conversation (edits and deletes after it applied). */
const SET_LAST_MESSAGE = {
  name: 'conversations-set-last-message',
  text: `UPDATE conversations c
            SET activity_position = l.position, last_message_id = l.message_id,
                last_message_sender_id = l.sender_id, last_message_body = l.body,
                last_message_sent_at = l.sent_at, last_message_position = l.position,
                last_message_deleted = l.deleted
           FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[], $7::boolean[])
                AS l (conversation_id, position, message_id, sender_id, body, sent_at, deleted)
          WHERE c.conversation_id = l.conversation_id`,
};
/** Edits and deletes of a conversation's current last message, when the batch sent none. */
const CHANGE_LAST_MESSAGE = {
  name: 'conversations-change-last-message',
  text: `UPDATE conversations c
            SET last_message_body = CASE WHEN l.deleted THEN NULL ELSE coalesce(l.body, c.last_message_body) END,
                last_message_deleted = c.last_message_deleted OR l.deleted
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::boolean[])
                AS l (conversation_id, message_id, body, deleted)
          WHERE c.conversation_id = l.conversation_id AND c.last_message_id = l.message_id`,
};
/**
 * Unread counts: each message sent (+1) or deleted (-1) counts for the members other than its
 * sender whose read marker is below it.
 */
const COUNT_UNREAD = {
  name: 'conversations-count-unread',
  text: `UPDATE conversation_members m SET unread_count = greatest(m.unread_count + d.delta, 0)
           FROM (SELECT mm.conversation_id, mm.user_id, sum(e.delta) AS delta
                   FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[], $5::text[])
                        AS e (conversation_id, sender_id, seq, delta, recipients)
                   JOIN conversation_members mm
                     ON mm.conversation_id = e.conversation_id AND mm.user_id <> e.sender_id AND mm.last_read_seq < e.seq
                    AND mm.user_id = ANY (string_to_array(e.recipients, ',')::uuid[])
                  GROUP BY mm.conversation_id, mm.user_id) AS d
          WHERE m.conversation_id = d.conversation_id AND m.user_id = d.user_id AND d.delta <> 0`,
};
/** Members who read in the batch: their marker and count as of the batch's end, computed here. */
const SET_READ = {
  name: 'conversations-set-read',
  text: `UPDATE conversation_members m SET last_read_seq = r.seq, unread_count = r.unread,
                last_read_message_id = r.message_id,
                shared_read_message_id = coalesce(r.shared_message_id, m.shared_read_message_id)
           FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[], $5::uuid[], $6::uuid[])
                AS r (conversation_id, user_id, seq, unread, message_id, shared_message_id)
          WHERE m.conversation_id = r.conversation_id AND m.user_id = r.user_id`,
};

interface LastMessage {
  readonly conversationId: string;
  readonly messageId: string;
  readonly senderId: string;
  readonly sentAt: string;
  readonly position: bigint;
  body: string | null;
  deleted: boolean;
}

interface LastMessageChange {
  readonly conversationId: string;
  readonly messageId: string;
  /** The new body, if edited (null: not edited, or deleted). */
  body: string | null;
  deleted: boolean;
}

interface ReadMarker {
  readonly conversationId: string;
  readonly userId: string;
  readonly seq: number;
  readonly messageId: string;
  /** The newest marker of the run the other members may see (not private); null: none. */
  readonly sharedMessageId: string | null;
  unread: number;
}

/** The writes a run of frequent events comes down to. */
class MessageRun {
  readonly #sent = new Map<string, LastMessage>();
  readonly #changed = new Map<string, Map<string, LastMessageChange>>();
  readonly #unread = {
    conversations: [] as string[],
    senders: [] as string[],
    seqs: [] as number[],
    deltas: [] as number[],
    /** Who the message reached (comma-joined): a member kept from it does not count it. */
    recipients: [] as string[],
  };
  readonly #reads = new Map<string, ReadMarker>();

  get isEmpty(): boolean {
    return this.#sent.size + this.#changed.size + this.#unread.seqs.length + this.#reads.size === 0;
  }

  add(event: LoggedEvent): void {
    switch (event.type) {
      case 'MessageSent': {
        const { data } = event;
        this.#sent.set(data.conversationId, {
          conversationId: data.conversationId,
          messageId: data.messageId,
          senderId: data.senderId,
          sentAt: data.sentAt,
          position: event.position,
          // Read after its key was destroyed: deleted, or its sender erased (the later event says which).
          body: isErasedBody(data.body) ? null : data.body,
          deleted: isErasedBody(data.body),
        });
        this.#changed.delete(data.conversationId);
        this.#countUnread(data, +1);
        return;
      }
      case 'MessageEdited': {
        const { data } = event;
        if (isErasedBody(data.body)) return;
        this.#changeLast(data.conversationId, data.messageId, (last) => {
          if (!last.deleted) last.body = data.body;
        });
        return;
      }
      case 'MessageDeleted': {
        const { data } = event;
        this.#changeLast(data.conversationId, data.messageId, (last) => {
          last.body = null;
          last.deleted = true;
        });
        this.#countUnread(data, -1);
        return;
      }
      case 'ConversationRead': {
        const { data } = event;
        const key = `${data.conversationId} ${data.userId}`;
        this.#reads.set(key, {
          conversationId: data.conversationId,
          userId: data.userId,
          seq: data.readUpToSeq,
          messageId: data.messageId,
          sharedMessageId: data.private ? (this.#reads.get(key)?.sharedMessageId ?? null) : data.messageId,
          unread: data.unreadCount,
        });
        return;
      }
    }
  }

  /**
   * A change to a message, which matters only if it is the conversation's last one: the one sent
   * in this run if any (then any other id is void), else the stored one, whose id is not known
   * here, so the change is kept per message id and the statement matches the right one.
   */
  #changeLast(
    conversationId: string,
    messageId: string,
    change: (last: { body: string | null; deleted: boolean }) => void,
  ): void {
    const sent = this.#sent.get(conversationId);
    if (sent) {
      if (sent.messageId === messageId) change(sent);
      return;
    }
    const byMessage = this.#changed.get(conversationId) ?? new Map<string, LastMessageChange>();
    this.#changed.set(conversationId, byMessage);
    const changed = byMessage.get(messageId) ?? { conversationId, messageId, body: null, deleted: false };
    byMessage.set(messageId, changed);
    change(changed);
  }

  #countUnread(
    data: { conversationId: string; senderId: string; seq: number; recipientIds: readonly string[] },
    delta: number,
  ): void {
    // A member who read in this run gets an exact count below; the others are counted in SQL.
    for (const read of this.#reads.values()) {
      if (
        read.conversationId === data.conversationId &&
        read.userId !== data.senderId &&
        read.seq < data.seq &&
        data.recipientIds.includes(read.userId)
      ) {
        read.unread = Math.max(read.unread + delta, 0);
      }
    }
    this.#unread.conversations.push(data.conversationId);
    this.#unread.senders.push(data.senderId);
    this.#unread.seqs.push(data.seq);
    this.#unread.deltas.push(delta);
    this.#unread.recipients.push(data.recipientIds.join(','));
  }

  async write(client: pg.ClientBase): Promise<void> {
    if (this.#sent.size > 0) {
      const rows = [...this.#sent.values()];
      await client.query({
        ...SET_LAST_MESSAGE,
        values: [
          rows.map((row) => row.conversationId),
          rows.map((row) => row.position.toString()),
          rows.map((row) => row.messageId),
          rows.map((row) => row.senderId),
          rows.map((row) => row.body),
          rows.map((row) => row.sentAt),
          rows.map((row) => row.deleted),
        ],
      });
    }
    const changes = [...this.#changed.values()].flatMap((byMessage) => [...byMessage.values()]);
    if (changes.length > 0) {
      await client.query({
        ...CHANGE_LAST_MESSAGE,
        values: [
          changes.map((change) => change.conversationId),
          changes.map((change) => change.messageId),
          changes.map((change) => change.body),
          changes.map((change) => change.deleted),
        ],
      });
    }
    const unread = this.#unread;
    if (unread.seqs.length > 0) {
      await client.query({
        ...COUNT_UNREAD,
        values: [unread.conversations, unread.senders, unread.seqs, unread.deltas, unread.recipients],
      });
    }
    // After the counting above, which they override for the members who read.
    if (this.#reads.size > 0) {
      const reads = [...this.#reads.values()];
      await client.query({
        ...SET_READ,
        values: [
          reads.map((read) => read.conversationId),
          reads.map((read) => read.userId),
          reads.map((read) => read.seq),
          reads.map((read) => read.unread),
          reads.map((read) => read.messageId),
          reads.map((read) => read.sharedMessageId),
        ],
      });
    }
  }
}

/** Applies an event that changes who the members are, on its own. */
async function applyMembershipEvent(client: pg.ClientBase, event: LoggedEvent): Promise<void> {
  const position = event.position.toString();
  switch (event.type) {
    case 'DirectConversationStarted':
    case 'GroupCreated': {
      const started =
        event.type === 'GroupCreated'
          ? {
              conversationId: event.data.conversationId,
              kind: 'group',
              title: event.data.title,
              createdBy: event.data.creatorId,
              memberIds: event.data.memberIds,
              at: event.data.createdAt,
            }
          : {
              conversationId: event.data.conversationId,
              kind: 'direct',
              title: null,
              createdBy: null,
              memberIds: event.data.memberIds,
              at: event.data.startedAt,
            };
      await client.query({
        ...INSERT_CONVERSATION,
        values: [
          started.conversationId,
          started.kind,
          started.title,
          started.createdBy,
          started.at,
          position,
        ],
      });
      await client.query({
        ...INSERT_MEMBERS,
        values: [started.conversationId, started.memberIds, started.at],
      });
      return;
    }
    case 'MemberAdded': {
      const { data } = event;
      await client.query({
        ...ADD_MEMBER,
        values: [data.conversationId, data.userId, data.addedAt, data.readUpToSeq],
      });
      await client.query({ ...TOUCH, values: [data.conversationId, position] });
      return;
    }
    case 'MemberRemoved': {
      const { data } = event;
      await client.query({ ...REMOVE_MEMBER, values: [data.conversationId, data.userId] });
      return;
    }
  }
}

/** An erased user's last messages read as deleted, like their history. */
const ERASE_LAST_MESSAGES = {
  name: 'conversations-erase-last-messages',
  text: `UPDATE conversations SET last_message_body = NULL, last_message_deleted = true
          WHERE last_message_sender_id = $1 AND NOT last_message_deleted`,
};

const MEMBERSHIP_EVENTS = new Set<EventType>([
  'DirectConversationStarted',
  'GroupCreated',
  'MemberAdded',
  'MemberRemoved',
]);

export const conversationsProjection: Projection = {
  name: 'conversations',
  tables: ['conversation_members', 'conversations'],
  handles: new Set([
    ...MEMBERSHIP_EVENTS,
    'MessageSent',
    'MessageEdited',
    'MessageDeleted',
    'ConversationRead',
    'UserErased',
  ]),
  async applyBatch(client, events) {
    let run = new MessageRun();
    for (const event of events) {
      if (event.type === 'UserErased') {
        if (!run.isEmpty) await run.write(client);
        run = new MessageRun();
        await client.query({ ...ERASE_LAST_MESSAGES, values: [event.data.userId] });
      } else if (MEMBERSHIP_EVENTS.has(event.type)) {
        if (!run.isEmpty) await run.write(client);
        run = new MessageRun();
        await applyMembershipEvent(client, event);
      } else {
        run.add(event);
      }
    }
    if (!run.isEmpty) await run.write(client);
  },
};
