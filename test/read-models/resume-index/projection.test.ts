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
const conversationId = randomUUID();

const sent = (seq: number, senderId: string, recipientIds: string[]) => ({
  type: 'MessageSent',
  data: { conversationId, messageId: randomUUID(), seq, senderId, body: 'hi', recipientIds, sentAt: at(seq) },
});

/** The events numbered as a log would, each in a stream named after its type. */
const logged = (events: Parameters<typeof recorded>[0]): LoggedEvent[] =>
  recorded(events).map((event) => ({ ...event, streamName: `stream-${event.type}` }));

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

describe('the resume index projection', () => {
  const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
  const log = logged([
    {
      type: 'DirectConversationStarted',
      data: { conversationId, memberIds: [alice, bob], startedAt: at(0) },
    },
    sent(1, alice, [alice, bob]),
    // No frame, so in nobody's index.
    {
      type: 'UserRegistered',
      version: 2,
      data: {
        userId: carol,
        username: 'carol',
        email: 'carol@example.com',
        displayName: 'Carol',
        passwordHash: 'hash',
        messagePolicy: 'everyone',
        registeredAt: at(2),
      },
    },
    { type: 'ContactAdded', data: { ownerId: alice, contactId: carol, addedAt: at(3) } },
  ]);
  const expected = sorted([
    [alice, '1', 'stream-DirectConversationStarted', '0'],
    [bob, '1', 'stream-DirectConversationStarted', '0'],
    [alice, '2', 'stream-MessageSent', '1'],
    [bob, '2', 'stream-MessageSent', '1'],
    [alice, '4', 'stream-ContactAdded', '3'],
  ]);

  it('keeps, per user, the position, stream and revision of every event framed for them', async () => {
    await db.apply(resumeIndex, log);
    expect(await rows(alice, bob, carol)).toEqual(expected);
  });

  it('gives the same rows whatever the batches, and nothing twice when applied again', async () => {
    await db.reset(resumeIndex);
    await db.apply(resumeIndex, log, 1);
    await db.apply(resumeIndex, log);
    expect(await rows(alice, bob, carol)).toEqual(expected);
  });

  it('indexes an older read marker for its reader, and a recipient once however often named', async () => {
    const [dee, eve] = [randomUUID(), randomUUID()];
    const marker = { conversationId, userId: eve, messageId: randomUUID(), readUpToSeq: 1, unreadCount: 0 };
    await db.apply(
      resumeIndex,
      logged([
        // An older marker names no recipients: it was the reader's alone.
        { type: 'ConversationRead', data: { ...marker, readAt: at(4) } },
        // A recipient that is no uuid (no user of this system) is left out.
        sent(2, dee, [dee, 'system', dee]),
      ]),
    );
    expect(await rows(dee, eve)).toEqual(
      sorted([
        [eve, '1', 'stream-ConversationRead', '0'],
        [dee, '2', 'stream-MessageSent', '1'],
      ]),
    );
  });

  it('passes over an event its frame mapping cannot read, and indexes the rest', async () => {
    const [fay, gus] = [randomUUID(), randomUUID()];
    const failing = resumeIndexProjection((event) => {
      if (event.position === 1n) throw new Error('unexpected shape');
      return frameFor(event);
    });
    await db.apply(
      failing,
      logged([
        { type: 'ContactAdded', data: { ownerId: fay, contactId: gus, addedAt: at(1) } },
        { type: 'ContactAdded', data: { ownerId: gus, contactId: fay, addedAt: at(2) } },
      ]),
    );
    expect(await rows(fay, gus)).toEqual([[gus, '2', 'stream-ContactAdded', '1']]);
  });
});
