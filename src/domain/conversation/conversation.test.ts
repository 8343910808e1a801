// Long because it is the conversation decider's whole specification, one short given/when/then per rule.
import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../decider-spec.js';
import { directConversationId } from './conversation-id.js';
import { conversationDecider } from './conversation.js';
import type { ConversationEvent } from './events.js';

const spec = deciderSpec(conversationDecider);
const now = '2026-01-01T00:00:00.000Z';
const dm = directConversationId('alice', 'bob');
const group = 'group-1';

const directStarted: ConversationEvent = {
  type: 'DirectConversationStarted',
  data: { conversationId: dm, memberIds: ['alice', 'bob'], startedAt: now },
};
const groupCreated = (memberIds = ['alice', 'bob', 'carol']): ConversationEvent => ({
  type: 'GroupCreated',
  data: { conversationId: group, title: 'Team', creatorId: 'alice', memberIds, createdAt: now },
});
const sent = (
  conversationId: string,
  seq: number,
  senderId: string,
  body: string,
  recipientIds: string[],
  clientMessageId?: string,
): ConversationEvent => ({
  type: 'MessageSent',
  data: {
    conversationId,
    messageId: `m${seq}`,
    seq,
    senderId,
    body,
    ...(clientMessageId ? { clientMessageId } : {}),
    recipientIds,
    sentAt: now,
  },
});
const dmSent = (seq: number, senderId: string, body = `hello ${seq}`, clientMessageId?: string) =>
  sent(dm, seq, senderId, body, ['alice', 'bob'], clientMessageId);
const groupSent = (seq: number, senderId: string, recipients = ['alice', 'bob', 'carol']) =>
  sent(group, seq, senderId, `g${seq}`, recipients);

const sendDirect = (extra: object = {}) => ({
  type: 'SendMessage' as const,
  conversationId: dm,
  actorId: 'bob',
  messageId: 'm1',
  body: '  hello 1  ',
  directRecipientId: 'alice',
  now,
  ...extra,
});
const sendToGroup = (extra: object = {}) => ({
  type: 'SendMessage' as const,
  conversationId: group,
  actorId: 'alice',
  messageId: 'm1',
  body: 'g1',
  now,
  ...extra,
});

describe('direct conversation id', () => {
  it('is the same whichever user sends first, and differs per pair', () => {
    expect(directConversationId('bob', 'alice')).toBe(dm);
    expect(directConversationId('alice', 'carol')).not.toBe(dm);
    expect(dm).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('SendMessage', () => {
  it('the first direct message starts the conversation, body trimmed, seq 1', () => {
    spec
      .given([])
      .when(sendDirect())
      .then([directStarted, dmSent(1, 'bob')]);
  });
  it('later messages go to the existing conversation with the next seq', () => {
    spec
      .given([directStarted, dmSent(1, 'bob')])
      .when(sendDirect({ actorId: 'alice', messageId: 'm2', body: 'hello 2', directRecipientId: 'bob' }))
      .then([dmSent(2, 'alice')]);
  });
  it('a re-send with the same clientMessageId from the same sender appends nothing', () => {
    spec
      .given([directStarted, dmSent(1, 'bob', 'hello 1', 'c1')])
      .when(sendDirect({ messageId: 'm9', clientMessageId: 'c1' }))
      .thenNothing();
  });
  it('the same clientMessageId from the other member is a new message', () => {
    spec
      .given([directStarted, dmSent(1, 'bob', 'hello 1', 'c1')])
      .when(sendDirect({ actorId: 'alice', messageId: 'm2', clientMessageId: 'c1', body: 'hello 2' }))
      .then([dmSent(2, 'alice', 'hello 2', 'c1')]);
  });
  it('refuses an empty or over-long body and accepts exactly 4000 characters', () => {
    spec
      .given([])
      .when(sendDirect({ body: '   ' }))
      .thenRefused('invalid', 'invalid_body');
    spec
      .given([directStarted])
      .when(sendDirect({ body: 'x'.repeat(4001) }))
      .thenRefused('invalid', 'invalid_body');
    const body = 'x'.repeat(4000);
    spec
      .given([directStarted])
      .when(sendDirect({ body: ` ${body} ` }))
      .then([dmSent(1, 'bob', body)]);
  });
  it('refuses a sender who is not a member, yourself, and an unknown conversation', () => {
    spec
      .given([directStarted])
      .when(sendDirect({ actorId: 'mallory' }))
      .thenRefused('forbidden', 'not_a_member');
    spec
      .given([])
      .when(sendDirect({ directRecipientId: 'bob' }))
      .thenRefused('invalid', 'cannot_message_self');
    spec.given([]).when(sendToGroup()).thenRefused('not_found', 'conversation_not_found');
  });
  it('refuses to start or continue a blocked direct conversation', () => {
    spec
      .given([])
      .when(sendDirect({ blocked: true }))
      .thenRefused('forbidden', 'blocked');
    spec
      .given([directStarted])
      .when(sendDirect({ blocked: true }))
      .thenRefused('forbidden', 'blocked');
  });
  it('sends to every current group member and nobody who left', () => {
    spec
      .given([groupCreated()])
      .when(sendToGroup())
      .then([groupSent(1, 'alice')]);
    const left: ConversationEvent = {
      type: 'MemberRemoved',
      data: {
        conversationId: group,
        userId: 'carol',
        removedBy: 'carol',
        recipientIds: ['alice', 'bob', 'carol'],
        removedAt: now,
      },
    };
    spec
      .given([groupCreated(), left])
      .when(sendToGroup())
      .then([groupSent(1, 'alice', ['alice', 'bob'])]);
    spec
      .given([groupCreated(), left])
      .when(sendToGroup({ actorId: 'carol' }))
      .thenRefused('forbidden', 'not_a_member');
  });
});

describe('CreateGroup', () => {
  const create = (extra: object = {}) => ({
    type: 'CreateGroup' as const,
    conversationId: group,
    actorId: 'alice',
    title: ' Team ',
    memberIds: ['carol', 'bob', 'bob'],
    now,
    ...extra,
  });
  it('creates a group with the creator and distinct members, title trimmed', () => {
    spec.given([]).when(create()).then([groupCreated()]);
  });
  it('refuses a blank title, too many members, and an existing id', () => {
    spec
      .given([])
      .when(create({ title: '  ' }))
      .thenRefused('invalid', 'invalid_title');
    const many = Array.from({ length: 256 }, (_, i) => `u${i}`);
    spec
      .given([])
      .when(create({ memberIds: many }))
      .thenRefused('invalid', 'too_many_members');
    spec.given([groupCreated()]).when(create()).thenRefused('invalid', 'conversation_exists');
  });
  it('refuses to put in a group someone who blocks its creator', () => {
    spec
      .given([])
      .when(create({ blockedBy: ['carol'] }))
      .thenRefused('forbidden', 'blocked');
  });
});

describe('a group member blocked by another', () => {
  it('reaches everyone but those who block them, with messages, edits and deletes', () => {
    spec
      .given([groupCreated()])
      .when(sendToGroup({ blockedBy: ['carol'] }))
      .then([groupSent(1, 'alice', ['alice', 'bob'])]);
    const edit = {
      type: 'EditMessage' as const,
      conversationId: group,
      actorId: 'alice',
      messageId: 'm1',
      body: 'e',
      now,
    };
    spec
      .given([groupCreated(), groupSent(1, 'alice')])
      .when({ ...edit, blockedBy: ['bob'] })
      .then([
        {
          type: 'MessageEdited',
          data: {
            conversationId: group,
            messageId: 'm1',
            seq: 1,
            senderId: 'alice',
            body: 'e',
            recipientIds: ['alice', 'carol'],
            editedAt: now,
          },
        },
      ]);
  });
});

describe('AddMember and RemoveMember', () => {
  const add = (userId: string, actorId = 'bob') => ({
    type: 'AddMember' as const,
    conversationId: group,
    actorId,
    userId,
    now,
  });
  const remove = (userId: string, actorId: string) => ({
    type: 'RemoveMember' as const,
    conversationId: group,
    actorId,
    userId,
    now,
  });
  it('any member adds someone, whose read marker starts at the latest message', () => {
    spec
      .given([groupCreated(), groupSent(1, 'alice')])
      .when(add('dave'))
      .then([
        {
          type: 'MemberAdded',
          data: {
            conversationId: group,
            userId: 'dave',
            addedBy: 'bob',
            readUpToSeq: 1,
            recipientIds: ['alice', 'bob', 'carol', 'dave'],
            addedAt: now,
          },
        },
      ]);
  });
  it('refuses to add someone who blocks the member adding them', () => {
    spec
      .given([groupCreated()])
      .when({ ...add('dave'), blockedBy: ['dave'] })
      .thenRefused('forbidden', 'blocked');
  });
  it('adding a member twice changes nothing; outsiders and direct conversations are refused', () => {
    spec.given([groupCreated()]).when(add('carol')).thenNothing();
    spec.given([groupCreated()]).when(add('dave', 'mallory')).thenRefused('forbidden', 'not_a_member');
    spec
      .given([directStarted])
      .when({ ...add('dave', 'alice'), conversationId: dm })
      .thenRefused('invalid', 'not_a_group');
  });
  it('a member leaves; the creator removes others; others may not', () => {
    const removed = (userId: string, removedBy: string): ConversationEvent => ({
      type: 'MemberRemoved',
      data: {
        conversationId: group,
        userId,
        removedBy,
        recipientIds: ['alice', 'bob', 'carol'],
        removedAt: now,
      },
    });
    spec
      .given([groupCreated()])
      .when(remove('carol', 'carol'))
      .then([removed('carol', 'carol')]);
    spec
      .given([groupCreated()])
      .when(remove('carol', 'alice'))
      .then([removed('carol', 'alice')]);
    spec.given([groupCreated()]).when(remove('carol', 'bob')).thenRefused('forbidden', 'not_the_creator');
    spec.given([groupCreated()]).when(remove('dave', 'alice')).thenRefused('not_found', 'member_not_found');
    spec
      .given([groupCreated(), removed('carol', 'carol')])
      .when(remove('bob', 'carol'))
      .thenRefused('forbidden', 'not_a_member');
  });
});

describe('EditMessage and DeleteMessage', () => {
  const edit = (actorId: string, body = 'changed') => ({
    type: 'EditMessage' as const,
    conversationId: dm,
    actorId,
    messageId: 'm1',
    body,
    now,
  });
  const del = (actorId: string, messageId = 'm1') => ({
    type: 'DeleteMessage' as const,
    conversationId: dm,
    actorId,
    messageId,
    now,
  });
  const deleted: ConversationEvent = {
    type: 'MessageDeleted',
    data: {
      conversationId: dm,
      messageId: 'm1',
      seq: 1,
      senderId: 'bob',
      recipientIds: ['alice', 'bob'],
      deletedAt: now,
    },
  };
  it('the sender edits, with a checked body', () => {
    spec
      .given([directStarted, dmSent(1, 'bob')])
      .when(edit('bob'))
      .then([
        {
          type: 'MessageEdited',
          data: {
            conversationId: dm,
            messageId: 'm1',
            seq: 1,
            senderId: 'bob',
            body: 'changed',
            recipientIds: ['alice', 'bob'],
            editedAt: now,
          },
        },
      ]);
    spec
      .given([directStarted, dmSent(1, 'bob')])
      .when(edit('bob', ' '))
      .thenRefused('invalid', 'invalid_body');
  });
  it('nobody else edits or deletes; outsiders are not members', () => {
    spec
      .given([directStarted, dmSent(1, 'bob')])
      .when(edit('alice'))
      .thenRefused('forbidden', 'not_the_sender');
    spec
      .given([directStarted, dmSent(1, 'bob')])
      .when(del('alice'))
      .thenRefused('forbidden', 'not_the_sender');
    spec
      .given([directStarted, dmSent(1, 'bob')])
      .when(del('mallory'))
      .thenRefused('forbidden', 'not_a_member');
  });
  it('the sender deletes, once; a deleted or unknown message cannot be changed', () => {
    spec
      .given([directStarted, dmSent(1, 'bob')])
      .when(del('bob'))
      .then([deleted]);
    spec
      .given([directStarted, dmSent(1, 'bob'), deleted])
      .when(del('bob'))
      .thenRefused('not_found', 'message_not_found');
    spec
      .given([directStarted, dmSent(1, 'bob'), deleted])
      .when(edit('bob'))
      .thenRefused('not_found', 'message_not_found');
    spec.given([directStarted]).when(del('bob', 'nope')).thenRefused('not_found', 'message_not_found');
  });
});

describe('MarkRead', () => {
  const read = (messageId: string, actorId = 'alice') => ({
    type: 'MarkRead' as const,
    conversationId: dm,
    actorId,
    messageId,
    now,
  });
  it('moves the marker forward and counts what others sent after it, deleted ones excluded', () => {
    const deleted3: ConversationEvent = {
      type: 'MessageDeleted',
      data: {
        conversationId: dm,
        messageId: 'm3',
        seq: 3,
        senderId: 'bob',
        recipientIds: ['alice', 'bob'],
        deletedAt: now,
      },
    };
    spec
      .given([
        directStarted,
        dmSent(1, 'bob'),
        dmSent(2, 'bob'),
        dmSent(3, 'bob'),
        dmSent(4, 'alice'),
        dmSent(5, 'bob'),
        deleted3,
      ])
      .when(read('m2'))
      .then([
        {
          type: 'ConversationRead',
          data: {
            conversationId: dm,
            userId: 'alice',
            messageId: 'm2',
            readUpToSeq: 2,
            unreadCount: 1,
            recipientIds: ['alice', 'bob'],
            readAt: now,
          },
        },
      ]);
  });
  it('does not count messages kept from the reader (they block the sender)', () => {
    spec
      .given([
        groupCreated(),
        groupSent(1, 'bob'),
        groupSent(2, 'alice', ['alice', 'bob']),
        groupSent(3, 'bob'),
      ])
      .when({ ...read('m1', 'carol'), conversationId: group })
      .then([
        {
          type: 'ConversationRead',
          data: {
            conversationId: group,
            userId: 'carol',
            messageId: 'm1',
            readUpToSeq: 1,
            unreadCount: 1,
            recipientIds: ['alice', 'bob', 'carol'],
            readAt: now,
          },
        },
      ]);
  });
  it('tells the other members of a marker unless it is private', () => {
    spec
      .given([directStarted, dmSent(1, 'bob')])
      .when({ ...read('m1'), private: true })
      .then([
        {
          type: 'ConversationRead',
          data: {
            conversationId: dm,
            userId: 'alice',
            messageId: 'm1',
            readUpToSeq: 1,
            unreadCount: 0,
            private: true,
            recipientIds: ['alice'],
            readAt: now,
          },
        },
      ]);
  });
  it('never moves the marker back; refuses unknown messages and outsiders', () => {
    const readTo2: ConversationEvent = {
      type: 'ConversationRead',
      data: {
        conversationId: dm,
        userId: 'alice',
        messageId: 'm2',
        readUpToSeq: 2,
        unreadCount: 0,
        readAt: now,
      },
    };
    spec
      .given([directStarted, dmSent(1, 'bob'), dmSent(2, 'bob'), readTo2])
      .when(read('m1'))
      .thenNothing();
    spec
      .given([directStarted, dmSent(1, 'bob')])
      .when(read('nope'))
      .thenRefused('not_found', 'message_not_found');
    spec
      .given([directStarted, dmSent(1, 'bob')])
      .when(read('m1', 'mallory'))
      .thenRefused('forbidden', 'not_a_member');
  });
});

describe('a recipient who takes messages from contacts only', () => {
  it('cannot be sent a first message by someone else', () => {
    spec
      .given([])
      .when(sendDirect({ recipientAccepts: false }))
      .thenRefused('forbidden', 'not_accepting_messages');
    spec
      .given([directStarted])
      .when(sendDirect({ recipientAccepts: false }))
      .then([dmSent(1, 'bob', 'hello 1')]);
  });
});
