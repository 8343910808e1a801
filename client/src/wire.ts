/**
 * The shapes on the wire, taken from the server's own TypeBox schemas and event types (type-only
 * imports: nothing of the server reaches the bundle).
 */
import type { Static } from '@sinclair/typebox';
import type { TokenResponse } from '../../src/commands/routes/account-routes.js';
import type { PositionResult, SendResult } from '../../src/commands/routes/schemas.js';
import type { ContactAdded, ContactRemoved } from '../../src/domain/contacts/contacts.js';
import type {
  ConversationRead,
  DirectConversationStarted,
  GroupCreated,
  MemberAdded,
  MemberRemoved,
  MessageDeleted,
  MessageEdited,
  MessageSent,
} from '../../src/domain/conversation/events.js';
import type { Problem } from '../../src/http/problems.js';
import type { Me } from '../../src/read-api/account-queries.js';
import type { Contact as ContactSchema } from '../../src/read-api/contact-queries.js';
import type { ConversationItem, MessageItem } from '../../src/read-api/conversation-queries.js';
import type { UserSummary as UserSummarySchema } from '../../src/read-api/schemas.js';

export type { Problem };
export type Tokens = Static<typeof TokenResponse>;
export type SendResult = Static<typeof SendResult>;
export type PositionResult = Static<typeof PositionResult>;
export type Account = Static<typeof Me>;
export type UserSummary = Static<typeof UserSummarySchema>;
export type Contact = Static<typeof ContactSchema>;
export type Conversation = Static<typeof ConversationItem>;
export type Message = Static<typeof MessageItem>;
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

type Routed<E extends { data: object }> = Omit<E['data'], 'recipientIds'>;

/** A frame that stands for one event of the log; `position` orders them. */
export type EventFrame =
  | { type: 'message.sent'; position: string; data: Routed<MessageSent> }
  | { type: 'message.edited'; position: string; data: Routed<MessageEdited> }
  | { type: 'message.deleted'; position: string; data: Routed<MessageDeleted> }
  | { type: 'member.added'; position: string; data: Routed<MemberAdded> }
  | { type: 'member.removed'; position: string; data: Routed<MemberRemoved> }
  | {
      type: 'conversation.created';
      position: string;
      data: (DirectConversationStarted['data'] | GroupCreated['data']) & { kind: 'direct' | 'group' };
    }
  | { type: 'conversation.read'; position: string; data: ConversationRead['data'] & { private?: boolean } }
  | { type: 'contact.added'; position: string; data: ContactAdded['data'] }
  | { type: 'contact.removed'; position: string; data: ContactRemoved['data'] };

export interface PresenceFrame {
  type: 'presence';
  data: { userId: string; online: boolean };
}
export interface TypingFrame {
  type: 'typing';
  data: { conversationId: string; userId: string };
}

/** Commands over the socket (API.md, "Commands over the socket"). */
export type SocketCommand =
  | { type: 'send'; conversationId?: string; to?: string; body: string; clientMessageId?: string }
  | { type: 'edit'; conversationId: string; messageId: string; body: string }
  | { type: 'delete'; conversationId: string; messageId: string }
  | { type: 'read'; conversationId: string; messageId: string; private?: boolean };

export type ServerFrame =
  | EventFrame
  | PresenceFrame
  | TypingFrame
  | { type: 'resync' }
  | { type: 'pong' }
  | { type: 'ack'; requestId: string; data: unknown }
  | { type: 'error'; requestId: string; status: number; problem: Problem };
