import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../log.js';
import { asyncApiDocument } from './asyncapi.js';
import { frameFor } from './delivery/frames.js';
import { EVENT_FRAMES, SERVER_FRAMES } from './protocol.js';
import { serialiseFrame } from './wire-format.js';

const CLIENT_TYPES = ['ping', 'typing', 'send', 'edit', 'delete', 'read'];
const SERVER_TYPES = [
  'message.sent',
  'message.edited',
  'message.deleted',
  'conversation.created',
  'member.added',
  'member.removed',
  'contact.added',
  'contact.removed',
  'conversation.read',
  'ack',
  'error',
  'resync',
  'pong',
  'presence',
  'typing',
];

describe('the AsyncAPI document', () => {
  const document = JSON.parse(JSON.stringify(asyncApiDocument())) as {
    asyncapi: string;
    channels: { realtime: { address: string; messages: Record<string, { $ref: string }> } };
    operations: Record<string, { action: string; messages: { $ref: string }[]; reply?: unknown }>;
    components: {
      messages: Record<string, { name: string; payload: { properties: { type: { const: string } } } }>;
    };
  };

  it('is AsyncAPI 3.0 with every client and server frame, each with its schema', () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.channels.realtime.address).toBe('/v1/realtime');
    const messages = Object.entries(document.components.messages);
    const named = (prefix: string) =>
      messages.filter(([key]) => key.startsWith(prefix)).map(([, message]) => message.name);
    expect(named('client.').sort()).toEqual([...CLIENT_TYPES].sort());
    expect(named('server.').sort()).toEqual([...SERVER_TYPES].sort());
    for (const [, message] of messages) expect(message.payload.properties.type.const).toBe(message.name);
  });

  it('references only what it defines; every command has its reply', () => {
    const channelMessages = document.channels.realtime.messages;
    for (const [key, reference] of Object.entries(channelMessages)) {
      expect(reference.$ref).toBe(`#/components/messages/${key}`);
    }
    for (const operation of Object.values(document.operations)) {
      for (const message of operation.messages) {
        expect(message.$ref.replace('#/channels/realtime/messages/', '') in channelMessages).toBe(true);
      }
    }
    for (const type of ['send', 'edit', 'delete', 'read']) {
      expect(document.operations[`command.${type}`]).toMatchObject({
        action: 'receive',
        reply: expect.anything(),
      });
    }
  });
});

describe('the server frame schemas', () => {
  const recorded = (type: string, data: Record<string, unknown>): LoggedEvent =>
    ({
      id: 'e',
      streamName: 's',
      revision: 0n,
      position: 42n,
      type,
      data,
      metadata: {},
      createdAt: new Date(),
    }) as unknown as LoggedEvent;
  const message = { conversationId: 'c', messageId: 'm', seq: 1, senderId: 'a', recipientIds: ['a', 'b'] };

  it('describe what the server sends for each event', () => {
    const events = [
      recorded('MessageSent', { ...message, body: 'hi', sentAt: 't' }),
      recorded('MessageEdited', { ...message, body: 'hi', editedAt: 't' }),
      recorded('MessageDeleted', { ...message, deletedAt: 't' }),
      recorded('DirectConversationStarted', { conversationId: 'c', memberIds: ['a', 'b'], startedAt: 't' }),
      recorded('GroupCreated', {
        conversationId: 'c',
        title: 'x',
        creatorId: 'a',
        memberIds: ['a'],
        createdAt: 't',
      }),
      recorded('MemberAdded', {
        conversationId: 'c',
        userId: 'b',
        addedBy: 'a',
        readUpToSeq: 0,
        recipientIds: ['a', 'b'],
        addedAt: 't',
      }),
      recorded('MemberRemoved', {
        conversationId: 'c',
        userId: 'b',
        removedBy: 'b',
        recipientIds: ['a', 'b'],
        removedAt: 't',
      }),
      recorded('ContactAdded', { ownerId: 'a', contactId: 'b', addedAt: 't' }),
      recorded('ContactRemoved', { ownerId: 'a', contactId: 'b', removedAt: 't' }),
      recorded('ConversationRead', {
        conversationId: 'c',
        userId: 'a',
        messageId: 'm',
        readUpToSeq: 1,
        unreadCount: 0,
        recipientIds: ['a'],
        private: true,
        readAt: 't',
      }),
    ];
    for (const event of events) {
      const frame = frameFor(event)!;
      const wire: unknown = JSON.parse(serialiseFrame(frame).text);
      const schema = EVENT_FRAMES[frame.type as keyof typeof EVENT_FRAMES];
      expect(
        [...Value.Errors(schema, wire)].map((error) => `${frame.type}${error.path}: ${error.message}`),
      ).toEqual([]);
    }
    expect(Object.keys(EVENT_FRAMES).every((type) => type in SERVER_FRAMES)).toBe(true);
  });
});
