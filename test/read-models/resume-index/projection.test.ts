import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../../src/log.js';
import { resumeIndexProjection } from '../../../src/read-models/resume-index/projection.js';
import { frameFor } from '../../../src/realtime/delivery/frames.js';
import { at, projectionDb, recorded, type ProjectionDb } from '../support.js';

let db: ProjectionDb;
beforeAll(async () => {
  db = await projectionDb();
});
afterAll(async () => {
  await db?.close();
});

const resumeIndex = resumeIndexProjection(frameFor);
const [ada, bob, cy] = [randomUUID(), randomUUID(), randomUUID()];
const conversationId = randomUUID();

const sent = (seq: number, recipientIds: string[]) => ({
  type: 'MessageSent',
  data: {
    conversationId,
    messageId: randomUUID(),
    seq,
    senderId: ada,
    body: `message ${seq}`,
    recipientIds,
    sentAt: at(seq),
  },
});

/** The index's rows of the users, as [user, position, stream, revision], in a fixed order. */
const rows = async (...users: string[]) =>
  sorted(
    (
      await db.rows(
        `SELECT user_id::text AS user, position::text, stream_name AS stream, revision::text
           FROM user_event_positions WHERE user_id = ANY ('{${users.join(',')}}'::uuid[])`,
      )
    ).map((row) => [row.user, row.position, row.stream, row.revision] as unknown[]),
  );

const sorted = (table: unknown[][]) =>
  [...table].sort((a, b) => {
    const [x, y] = [a.map(String).join(' '), b.map(String).join(' ')];
    return x < y ? -1 : x > y ? 1 : 0;
  });

/** The events numbered as a log would, each in a stream named after its type. */
const logged = (events: Parameters<typeof recorded>[0]): LoggedEvent[] =>
  recorded(events).map((event) => ({ ...event, streamName: `stream-${event.type}` }));

describe('the resume index projection', () => {
  it('holds, per user, the position, stream and revision of each event whose frame is theirs', async () => {
    const readMarker = {
      type: 'ConversationRead',
      // An older marker names no recipients: it was the reader's alone.
      data: {
        conversationId,
        userId: bob,
        messageId: randomUUID(),
        readUpToSeq: 1,
        unreadCount: 0,
        readAt: at(3),
      },
    };
    const registered = {
      type: 'UserRegistered',
      version: 2,
      data: {
        userId: cy,
        username: 'cy',
        email: 'cy@example.com',
        displayName: 'Cy',
        passwordHash: '$2b$04$hash',
        messagePolicy: 'everyone',
        registeredAt: at(2),
      },
    };
    const events = logged([
      { type: 'ContactAdded', data: { ownerId: bob, contactId: cy, addedAt: at(1) } },
      sent(1, [ada, bob]),
      registered, // no frame: in no one's index
      readMarker,
      // A recipient that is no uuid (no user of this system), and one named twice.
      sent(2, [ada, 'system', ada]),
    ]);
    await db.apply(resumeIndex, events);
    // Applied again (a projector that restarts before its checkpoint moved): nothing doubles.
    await db.apply(resumeIndex, events);
    expect(await rows(ada, bob, cy)).toEqual(
      sorted([
        [bob, '1', 'stream-ContactAdded', '0'],
        [ada, '2', 'stream-MessageSent', '1'],
        [bob, '2', 'stream-MessageSent', '1'],
        [bob, '4', 'stream-ConversationRead', '3'],
        [ada, '5', 'stream-MessageSent', '4'],
      ]),
    );
  });

  it('passes over an event its frame mapping cannot read, and indexes the rest', async () => {
    const [dee, eve] = [randomUUID(), randomUUID()];
    const events = logged([
      { type: 'ContactAdded', data: { ownerId: dee, contactId: eve, addedAt: at(1) } },
      { type: 'ContactAdded', data: { ownerId: eve, contactId: dee, addedAt: at(2) } },
    ]);
    const failing = resumeIndexProjection((event) => {
      if (event.position === 1n) throw new Error('unexpected shape');
      return frameFor(event);
    });
    await db.apply(failing, events);
    expect(await rows(dee, eve)).toEqual([[eve, '2', 'stream-ContactAdded', '1']]);
  });
});
