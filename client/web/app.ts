// Long because it is the page's one controller: sign-in, lists, history, live frames, composer.
import {
  ApiError,
  ChatClient,
  NetworkError,
  type EventFrame,
  type RealtimeSession,
  type StoredSession,
} from '../src/index.js';
import { randomId, sleep } from '../src/ids.js';
import { byId } from './dom.js';
import { newState, upsertMessage, type Me } from './state.js';
import {
  renderContacts,
  renderConversation,
  renderConversations,
  renderSearch,
  type Actions,
} from './views.js';

const STORAGE_KEY = 'chat.session';
const port = document.querySelector<HTMLMetaElement>('meta[name="chat-realtime-port"]')?.content ?? '3001';
const realtimeUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.hostname}:${port}`;

interface Saved {
  readonly me: Me;
  readonly session: StoredSession;
}
const saved = (): Saved | undefined => {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
};

let state = newState();
let client = makeClient(saved()?.session);
let lastPosition: string | undefined;
let live: RealtimeSession | undefined;
let lastResults: { userId: string; username: string }[] = [];

function makeClient(session?: StoredSession) {
  return new ChatClient({
    baseUrl: '',
    realtimeUrl,
    ...(session ? { session } : {}),
    onSessionChange: (next) => {
      if (next && state.me)
        localStorage.setItem(STORAGE_KEY, JSON.stringify({ me: state.me, session: next }));
      if (!next) localStorage.removeItem(STORAGE_KEY);
    },
  });
}

const status = (text: string) => (byId('status').textContent = text);
const showError = (id: string, error: unknown) =>
  (byId(id).textContent = error instanceof ApiError ? error.problem.detail : error ? String(error) : '');

function render() {
  renderContacts(state, actions);
  renderConversations(state, actions);
  renderConversation(state, actions);
}

function showAuth() {
  byId('auth').hidden = false;
  byId('chat').hidden = true;
  byId('logout').hidden = true;
  byId('whoami').hidden = true;
  status('');
}

async function reloadLists() {
  const [contacts, conversations] = await Promise.all([
    client.contacts(),
    client.conversations({ limit: 50 }),
  ]);
  state.contacts = contacts;
  state.conversations = conversations.items;
  for (const contact of contacts) state.names.set(contact.userId, contact.username);
  for (const conversation of conversations.items)
    for (const member of conversation.members) state.names.set(member.userId, member.username);
}

let reloadTimer: ReturnType<typeof setTimeout> | undefined;
/** Lists change with events this client did not write: reload them shortly after (they are projected by then). */
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => void reloadLists().then(render, () => {}), 400);
}

async function loadHistory(conversationId: string, before?: string) {
  const page = await client.messages(conversationId, { limit: 30, ...(before ? { before } : {}) });
  if (state.open?.conversationId !== conversationId) return;
  for (const message of page.items) upsertMessage(state, message);
  state.olderCursor = page.nextCursor;
}

let lastMarked: string | undefined;
function markReadIfVisible() {
  const conversationId = state.open?.conversationId;
  const newest = [...state.messages].reverse().find((m) => !m.pending);
  if (!conversationId || !newest || newest.messageId === lastMarked || document.visibilityState !== 'visible')
    return;
  lastMarked = newest.messageId;
  const conversation = state.conversations.find((c) => c.conversationId === conversationId);
  if (conversation) conversation.unreadCount = 0;
  client.markRead(conversationId, newest.messageId).catch(() => (lastMarked = undefined));
}

function apply(frame: EventFrame) {
  lastPosition = frame.position;
  switch (frame.type) {
    case 'message.sent':
    case 'message.edited':
    case 'message.deleted': {
      const data = frame.data;
      const conversation = state.conversations.find((c) => c.conversationId === data.conversationId);
      const isOpen = state.open?.conversationId === data.conversationId;
      if (isOpen) {
        const known = state.messages.find((m) => m.messageId === data.messageId);
        if (frame.type === 'message.sent') {
          upsertMessage(state, {
            messageId: data.messageId,
            senderId: data.senderId,
            body: frame.data.body,
            sentAt: frame.data.sentAt,
            deleted: false,
            position: frame.position,
          });
        } else if (known) {
          upsertMessage(
            state,
            frame.type === 'message.edited'
              ? { ...known, body: frame.data.body, editedAt: frame.data.editedAt }
              : { ...known, body: null, deleted: true },
          );
        }
      }
      if (!conversation) reloadSoon();
      else if (frame.type !== 'message.sent') {
        const last = conversation.lastMessage;
        if (last?.messageId === data.messageId) {
          conversation.lastMessage =
            frame.type === 'message.edited'
              ? { ...last, body: frame.data.body }
              : { ...last, body: null, deleted: true };
        }
      } else {
        conversation.lastMessage = {
          messageId: data.messageId,
          senderId: data.senderId,
          body: frame.data.body,
          sentAt: frame.data.sentAt,
          deleted: false,
          position: frame.position,
        };
        if (!isOpen && data.senderId !== state.me?.userId) conversation.unreadCount += 1;
        state.conversations = [conversation, ...state.conversations.filter((c) => c !== conversation)];
      }
      if (isOpen) markReadIfVisible();
      break;
    }
    case 'conversation.read': {
      const conversation = state.conversations.find((c) => c.conversationId === frame.data.conversationId);
      if (frame.data.userId === state.me?.userId) {
        if (conversation) conversation.unreadCount = frame.data.unreadCount;
      } else state.seen.set(frame.data.conversationId, frame.data.messageId);
      break;
    }
    default:
      reloadSoon();
  }
  render();
}

/** Connects the socket first, then loads: every event after the load is either in it or arrives live. */
async function startLive() {
  live?.stop();
  live = client.realtime(lastPosition ? { since: lastPosition } : {});
  const early: EventFrame[] = [];
  let loaded = false;
  live.on('event', (frame) => (loaded ? apply(frame) : early.push(frame)));
  live.on('state', (next) =>
    status(next === 'open' ? 'Connected' : next === 'connecting' ? 'Reconnecting…' : 'Offline'),
  );
  live.on('presence', ({ userId, online }) => {
    if (online) state.online.add(userId);
    else state.online.delete(userId);
    renderContacts(state, actions);
  });
  live.on('typing', ({ conversationId, userId }) => {
    const typers = state.typing.get(conversationId) ?? new Map<string, number>();
    typers.set(userId, Date.now() + 5000);
    state.typing.set(conversationId, typers);
    renderConversation(state, actions);
    setTimeout(() => renderConversation(state, actions), 5100);
  });
  live.on('resync', () => void refreshAll());
  for (let i = 0; i < 60 && live.state !== 'open'; i++) await sleep(50);
  await refreshAll();
  loaded = true;
  for (const frame of early) apply(frame);
}

async function refreshAll() {
  await reloadLists();
  if (state.open?.conversationId) {
    state.messages = [];
    await loadHistory(state.open.conversationId);
  }
  render();
  markReadIfVisible();
}

async function enter(me: Me) {
  state.me = me;
  const session = client.session.stored;
  if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify({ me, session }));
  byId('auth').hidden = true;
  byId('chat').hidden = false;
  byId('logout').hidden = false;
  byId('whoami').hidden = false;
  byId('whoami').textContent = `Signed in as ${me.username}`;
  await startLive();
}

const actions: Actions = {
  addContact(userId, username) {
    state.names.set(userId, username);
    client.addContact({ userId }).then(
      () =>
        reloadLists().then(() => {
          render();
          renderSearch(state, actions, lastResults);
        }),
      (error) => showError('chat-error', error),
    );
  },
  startWith(userId, username) {
    state.names.set(userId, username);
    const existing = state.conversations.find(
      (c) => c.kind === 'direct' && c.members.some((m) => m.userId === userId),
    );
    if (existing) return actions.openConversation(existing.conversationId);
    state.open = { to: { userId, username } };
    state.messages = [];
    state.olderCursor = null;
    render();
    byId('body').focus();
  },
  openConversation(conversationId) {
    state.open = { conversationId };
    state.messages = [];
    state.olderCursor = null;
    state.editing = undefined;
    render();
    loadHistory(conversationId).then(
      () => {
        render();
        markReadIfVisible();
        byId('body').focus();
      },
      (error) => showError('chat-error', error),
    );
  },
  edit(message) {
    state.editing = message.messageId;
    byId('body-label').textContent = 'Edit message';
    byId('send').textContent = 'Save';
    byId('cancel-edit').hidden = false;
    const body = byId<HTMLTextAreaElement>('body');
    body.value = message.body ?? '';
    body.focus();
  },
  remove(message) {
    const conversationId = state.open?.conversationId;
    if (!conversationId) return;
    client.deleteMessage(conversationId, message.messageId).then(
      () => {
        upsertMessage(state, { ...message, body: null, deleted: true });
        render();
      },
      (error) => showError('chat-error', error),
    );
  },
};

function stopEditing() {
  state.editing = undefined;
  byId('body-label').textContent = 'Message';
  byId('send').textContent = 'Send';
  byId('cancel-edit').hidden = true;
  byId<HTMLTextAreaElement>('body').value = '';
}

/** Sends until it lands: while offline it waits to be online; the clientMessageId makes it land once. */
async function deliver(target: { to: string } | { conversationId: string }, body: string) {
  const clientMessageId = randomId();
  const placeholder = {
    messageId: clientMessageId,
    senderId: state.me!.userId,
    body,
    sentAt: '',
    deleted: false,
    position: '',
    pending: true,
  };
  if ('conversationId' in target) upsertMessage(state, placeholder);
  render();
  for (;;) {
    try {
      const sent = await client.send(target, body, { clientMessageId });
      state.messages = state.messages.filter((m) => m.messageId !== clientMessageId);
      return sent;
    } catch (error) {
      const retry = error instanceof NetworkError || (error instanceof ApiError && error.retryable);
      if (!retry) {
        state.messages = state.messages.filter((m) => m.messageId !== clientMessageId);
        render();
        throw error;
      }
      if (!navigator.onLine)
        await new Promise((resolve) => addEventListener('online', resolve, { once: true }));
      else await sleep(2000);
    }
  }
}

async function submitComposer() {
  const input = byId<HTMLTextAreaElement>('body');
  const body = input.value.trim();
  const open = state.open;
  if (!body || !open) return;
  showError('chat-error', undefined);
  if (state.editing && open.conversationId) {
    const messageId = state.editing;
    stopEditing();
    await client.editMessage(open.conversationId, messageId, body);
    const known = state.messages.find((m) => m.messageId === messageId);
    if (known) upsertMessage(state, { ...known, body, editedAt: new Date().toISOString() });
    render();
    return;
  }
  input.value = '';
  const target = open.conversationId ? { conversationId: open.conversationId } : { to: open.to!.userId };
  const sent = await deliver(target, body);
  if (!open.conversationId) {
    await reloadLists();
    actions.openConversation(sent.conversationId);
    return;
  }
  upsertMessage(state, {
    messageId: sent.messageId,
    senderId: state.me!.userId,
    body,
    sentAt: new Date().toISOString(),
    deleted: false,
    position: sent.position,
  });
  render();
}

function wire() {
  byId('signup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const account = {
      username: String(form.get('username')),
      email: String(form.get('email')),
      password: String(form.get('password')),
    };
    client.signUp(account).then(
      (registered) => enter({ userId: registered.userId, username: registered.username }),
      (error) => showError('auth-error', error),
    );
  });
  byId('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    client
      .login(String(form.get('username')), String(form.get('password')))
      .then(() => client.me())
      .then(
        (me) => enter({ userId: me.userId, username: me.username }),
        (error) => showError('auth-error', error),
      );
  });
  byId('logout').addEventListener('click', () => {
    live?.stop();
    void client.logout().catch(() => {});
    localStorage.removeItem(STORAGE_KEY);
    state = newState();
    client = makeClient();
    showAuth();
  });
  byId('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const query = byId<HTMLInputElement>('search').value.trim().toLowerCase();
    client.searchUsers(query).then(
      (users) => {
        for (const user of users) state.names.set(user.userId, user.username);
        lastResults = users;
        renderSearch(state, actions, users);
      },
      (error) => showError('chat-error', error),
    );
  });
  byId('older').addEventListener('click', () => {
    const conversationId = state.open?.conversationId;
    if (conversationId && state.olderCursor)
      void loadHistory(conversationId, state.olderCursor).then(() => render());
  });
  byId('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    submitComposer().catch((error: unknown) => showError('chat-error', error));
  });
  byId('cancel-edit').addEventListener('click', stopEditing);
  byId('body').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      byId<HTMLFormElement>('composer').requestSubmit();
    } else if (event.key === 'Escape' && state.editing) stopEditing();
  });
  byId('body').addEventListener('input', () => {
    if (state.open?.conversationId && !state.editing) live?.typing(state.open.conversationId);
  });
  document.addEventListener('visibilitychange', markReadIfVisible);
  addEventListener('offline', () => {
    live?.stop();
    status('Offline');
  });
  addEventListener('online', () => {
    if (state.me) void startLive();
  });
}

wire();
const restored = saved();
if (restored && client.session.signedIn) {
  client.me().then(
    (me) => enter({ userId: me.userId, username: me.username }),
    () => {
      localStorage.removeItem(STORAGE_KEY);
      client = makeClient();
      showAuth();
    },
  );
} else showAuth();
