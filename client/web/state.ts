import type { Contact, Conversation, Message } from '../src/index.js';

export interface Me {
  readonly userId: string;
  readonly username: string;
}

/** A message on screen: from history, from a frame, or still being sent. */
export interface ShownMessage extends Message {
  readonly pending?: boolean;
}

/** Everything the page shows; the views render from it. */
export interface PageState {
  me: Me | undefined;
  /** userId → username, learnt from contacts, searches and conversation members. */
  readonly names: Map<string, string>;
  contacts: Contact[];
  readonly online: Set<string>;
  conversations: Conversation[];
  /** The open conversation, or a direct one still to start with `to`. */
  open: { conversationId?: string; to?: { userId: string; username: string } } | undefined;
  messages: ShownMessage[];
  olderCursor: string | null;
  editing: string | undefined;
  /** conversationId → userId → when their typing notice expires. */
  readonly typing: Map<string, Map<string, number>>;
  /** conversationId → the newest messageId another member has read. */
  readonly seen: Map<string, string>;
}

export const newState = (): PageState => ({
  me: undefined,
  names: new Map(),
  contacts: [],
  online: new Set(),
  conversations: [],
  open: undefined,
  messages: [],
  olderCursor: null,
  editing: undefined,
  typing: new Map(),
  seen: new Map(),
});

export function nameOf(state: PageState, userId: string): string {
  return userId === state.me?.userId ? 'you' : (state.names.get(userId) ?? 'someone');
}

export function titleOf(state: PageState, conversation: Conversation): string {
  if (conversation.kind === 'group') return conversation.title ?? 'Group';
  const other = conversation.members.find((member) => member.userId !== state.me?.userId);
  return other ? other.username : 'Direct conversation';
}

/** Inserts or replaces by messageId, keeping log order. */
export function upsertMessage(state: PageState, message: ShownMessage): void {
  const index = state.messages.findIndex((m) => m.messageId === message.messageId);
  if (index >= 0) state.messages[index] = { ...state.messages[index]!, ...message };
  else state.messages.push(message);
  // A message still being sent has no position yet: it goes last.
  const key = (m: ShownMessage) => (m.position ? BigInt(m.position) : 2n ** 64n);
  state.messages.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
