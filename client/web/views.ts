import { byId, h, time } from './dom.js';
import { nameOf, titleOf, type PageState, type ShownMessage } from './state.js';

/** What the views call back into. */
export interface Actions {
  addContact(userId: string, username: string): void;
  startWith(userId: string, username: string): void;
  openConversation(conversationId: string): void;
  edit(message: ShownMessage): void;
  remove(message: ShownMessage): void;
}

function presence(state: PageState, userId: string) {
  const online = state.online.has(userId);
  return h(
    'span',
    { className: `presence${online ? ' online' : ''}`, title: online ? 'online' : 'offline' },
    h('span', { className: 'sr' }, online ? 'online' : 'offline'),
  );
}

export function renderSearch(
  state: PageState,
  actions: Actions,
  results: { userId: string; username: string }[],
) {
  const list = byId('search-results');
  list.replaceChildren(
    ...results.map((user) =>
      h(
        'li',
        {},
        h('span', {}, user.username),
        state.contacts.some((c) => c.userId === user.userId)
          ? 'contact'
          : h(
              'button',
              { type: 'button', onclick: () => actions.addContact(user.userId, user.username) },
              `Add ${user.username}`,
            ),
        h(
          'button',
          { type: 'button', onclick: () => actions.startWith(user.userId, user.username) },
          `Message ${user.username}`,
        ),
      ),
    ),
  );
  if (results.length === 0) list.replaceChildren(h('li', {}, 'Nobody found'));
}

export function renderContacts(state: PageState, actions: Actions) {
  byId('contacts').replaceChildren(
    ...state.contacts.map((contact) =>
      h(
        'li',
        { 'data-user': contact.username },
        presence(state, contact.userId),
        h('span', {}, contact.username),
        h(
          'button',
          { type: 'button', onclick: () => actions.startWith(contact.userId, contact.username) },
          `Message ${contact.username}`,
        ),
      ),
    ),
  );
}

export function renderConversations(state: PageState, actions: Actions) {
  byId('conversations').replaceChildren(
    ...state.conversations.map((conversation) => {
      const title = titleOf(state, conversation);
      const unread = conversation.unreadCount;
      const last = conversation.lastMessage;
      return h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            'aria-current': conversation.conversationId === state.open?.conversationId ? 'true' : 'false',
            'data-conversation': title,
            onclick: () => actions.openConversation(conversation.conversationId),
          },
          h(
            'span',
            {},
            h('span', { className: 'sender' }, title),
            h('br'),
            h(
              'span',
              { className: 'meta' },
              last ? (last.deleted ? 'deleted' : (last.body ?? '')).slice(0, 40) : '',
            ),
          ),
          unread > 0 && h('span', { className: 'unread', 'aria-label': `${unread} unread` }, String(unread)),
        ),
      );
    }),
  );
}

export function renderConversation(state: PageState, actions: Actions) {
  const conversation = state.conversations.find((c) => c.conversationId === state.open?.conversationId);
  byId('conversation-title').textContent = conversation
    ? titleOf(state, conversation)
    : state.open?.to
      ? state.open.to.username
      : 'No conversation open';
  byId('composer').hidden = state.open === undefined;
  byId('older').hidden = state.olderCursor === null;
  const seenId = state.open?.conversationId ? state.seen.get(state.open.conversationId) : undefined;
  const seenIndex = seenId ? state.messages.findIndex((m) => m.messageId === seenId) : -1;
  const lastMineSeen = state.messages.findLastIndex(
    (m, i) => i <= seenIndex && m.senderId === state.me?.userId,
  );
  byId('messages').replaceChildren(
    ...state.messages.map((message, index) => {
      const mine = message.senderId === state.me?.userId;
      return h(
        'li',
        { className: mine ? 'mine' : '', 'data-message': message.messageId },
        h('span', { className: 'sender' }, nameOf(state, message.senderId)),
        message.deleted
          ? h('span', { className: 'deleted body' }, 'message deleted')
          : h('span', { className: 'body' }, message.body ?? ''),
        h(
          'span',
          { className: 'meta' },
          message.pending ? 'sending…' : time(message.sentAt),
          message.editedAt && !message.deleted ? ' (edited)' : '',
          index === lastMineSeen ? ' · Seen' : '',
        ),
        mine &&
          !message.deleted &&
          !message.pending &&
          h(
            'button',
            {
              type: 'button',
              onclick: () => actions.edit(message),
              'aria-label': `Edit message: ${message.body ?? ''}`,
            },
            'Edit',
          ),
        mine &&
          !message.deleted &&
          !message.pending &&
          h(
            'button',
            {
              type: 'button',
              onclick: () => actions.remove(message),
              'aria-label': `Delete message: ${message.body ?? ''}`,
            },
            'Delete',
          ),
      );
    }),
  );
  const typers = [...(state.typing.get(state.open?.conversationId ?? '') ?? new Map<string, number>())]
    .filter(([, until]) => until > Date.now())
    .map(([userId]) => nameOf(state, userId));
  byId('typing').textContent = typers.length
    ? `${typers.join(', ')} ${typers.length > 1 ? 'are' : 'is'} typing…`
    : '';
}
