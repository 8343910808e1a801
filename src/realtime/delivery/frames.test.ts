import type { LoggedEvent } from '../../log.js';
import { describe, expect, it } from 'vitest';
import { frameFor } from './frames.js';

/** An event with only the fields a frame looks at: the mapping reads nothing else. */
const recorded = (type: string, data: Record<string, unknown>): LoggedEvent =>
  ({
    id: 'e',
    streamName: 's',
    revision: 0n,
    position: 42n,
    type,
    data,
    metadata: {},
    createdAt: new Date(0),
  }) as unknown as LoggedEvent;

describe('frameFor', () => {
  it('routes conversation events to their recipients without repeating the member list', () => {
    const frame = frameFor(recorded('MessageSent', { messageId: 'm', body: 'hi', recipientIds: ['a', 'b'] }));
    expect(frame).toEqual({
      type: 'message.sent',
      position: 42n,
      audience: ['a', 'b'],
      data: { messageId: 'm', body: 'hi' },
    });
  });

  it('gives a deleted message no body', () => {
    const frame = frameFor(recorded('MessageDeleted', { messageId: 'm', recipientIds: ['a'] }));
    expect(frame?.type).toBe('message.deleted');
    expect(frame?.data).not.toHaveProperty('body');
  });

  it('names every frame type of the contract', () => {
    const types = [
      frameFor(recorded('MessageEdited', { recipientIds: ['a'] })),
      frameFor(recorded('MemberAdded', { userId: 'c', recipientIds: ['a', 'c'] })),
      frameFor(recorded('MemberRemoved', { userId: 'c', recipientIds: ['a', 'c'] })),
      frameFor(recorded('GroupCreated', { memberIds: ['a', 'b'] })),
      frameFor(recorded('DirectConversationStarted', { memberIds: ['a', 'b'] })),
      frameFor(recorded('ConversationRead', { userId: 'a' })),
      frameFor(recorded('ContactAdded', { ownerId: 'a', contactId: 'b' })),
      frameFor(recorded('ContactRemoved', { ownerId: 'a', contactId: 'b' })),
    ].map((frame) => frame?.type);
    expect(types).toEqual([
      'message.edited',
      'member.added',
      'member.removed',
      'conversation.created',
      'conversation.created',
      'conversation.read',
      'contact.added',
      'contact.removed',
    ]);
  });

  it('sends a read marker to its recipients (an older one to its reader), contact changes to the owner', () => {
    expect(frameFor(recorded('ConversationRead', { userId: 'a' }))?.audience).toEqual(['a']);
    const shared = frameFor(recorded('ConversationRead', { userId: 'a', recipientIds: ['a', 'b'] }));
    expect(shared?.audience).toEqual(['a', 'b']);
    expect(shared?.data).not.toHaveProperty('recipientIds');
    expect(frameFor(recorded('ContactAdded', { ownerId: 'a', contactId: 'b' }))?.audience).toEqual(['a']);
  });

  it('maps events that concern no client to nothing', () => {
    expect(frameFor(recorded('UserRegistered', { userId: 'a', passwordHash: 'x' }))).toBeUndefined();
    expect(frameFor(recorded('SessionStarted', {}))).toBeUndefined();
    expect(frameFor(recorded('UserBlocked', {}))).toBeUndefined();
  });
});
