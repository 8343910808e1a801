import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../test/support/decider-spec.js';
import { directConversationId } from './conversation-id.js';
import { conversationDecider } from './conversation.js';
import type { ConversationEvent } from './events.js';

const spec = deciderSpec(conversationDecider);
const now = '2026-01-01T00:00:00.000Z';
const cid = directConversationId('alice', 'bob');
const started: ConversationEvent = {
  type: 'DirectConversationStarted',
  data: { conversationId: cid, memberIds: ['alice', 'bob'], startedAt: now },
};
const sent = (
  messageId: string,
  senderId: string,
  body: string,
  clientMessageId?: string,
): ConversationEvent => ({
  type: 'MessageSent',
  data: {
    conversationId: cid,
    messageId,
    senderId,
    body,
    ...(clientMessageId ? { clientMessageId } : {}),
    recipientIds: ['alice', 'bob'],
    sentAt: now,
  },
});
const send = (extra: object = {}) => ({
  type: 'SendMessage' as const,
  conversationId: cid,
  senderId: 'bob',
  messageId: 'm1',
  body: '  hello  ',
  directRecipientId: 'alice',
  now,
  ...extra,
});

describe('direct conversation id', () => {
  it('is the same whichever user sends first, and differs per pair', () => {
    expect(directConversationId('bob', 'alice')).toBe(cid);
    expect(directConversationId('alice', 'carol')).not.toBe(cid);
    expect(cid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('sending a message', () => {
  it('the first direct message starts the conversation, body trimmed', () => {
    spec
      .given([])
      .when(send())
      .then([started, sent('m1', 'bob', 'hello')]);
  });
  it('later messages go to the existing conversation', () => {
    spec
      .given([started, sent('m1', 'bob', 'hello')])
      .when(send({ senderId: 'alice', messageId: 'm2', body: 'hi', directRecipientId: 'bob' }))
      .then([sent('m2', 'alice', 'hi')]);
  });
  it('a re-send with the same clientMessageId from the same sender appends nothing', () => {
    spec
      .given([started, sent('m1', 'bob', 'hello', 'c1')])
      .when(send({ messageId: 'm2', clientMessageId: 'c1' }))
      .thenNothing();
  });
  it('the same clientMessageId from the other sender is a new message', () => {
    spec
      .given([started, sent('m1', 'bob', 'hello', 'c1')])
      .when(send({ senderId: 'alice', messageId: 'm2', clientMessageId: 'c1', body: 'yo' }))
      .then([sent('m2', 'alice', 'yo', 'c1')]);
  });
  it('refuses an empty or over-long body', () => {
    spec
      .given([])
      .when(send({ body: '   ' }))
      .thenRefused('invalid', 'invalid_body');
    spec
      .given([started])
      .when(send({ body: 'x'.repeat(4001) }))
      .thenRefused('invalid', 'invalid_body');
  });
  it('accepts exactly 4000 characters after trimming', () => {
    const body = 'x'.repeat(4000);
    spec
      .given([started])
      .when(send({ body: ` ${body} ` }))
      .then([sent('m1', 'bob', body)]);
  });
  it('refuses a sender who is not a member', () => {
    spec
      .given([started])
      .when(send({ senderId: 'mallory' }))
      .thenRefused('forbidden', 'not_a_member');
  });
  it('refuses messaging yourself', () => {
    spec
      .given([])
      .when(send({ directRecipientId: 'bob' }))
      .thenRefused('invalid', 'cannot_message_self');
  });
  it('refuses an unknown conversation without a direct recipient', () => {
    spec
      .given([])
      .when(send({ directRecipientId: undefined }))
      .thenRefused('not_found', 'conversation_not_found');
  });
});
