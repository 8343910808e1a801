import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumeIndexProjection } from '../../src/read-models/resume-index/projection.js';
import { frameFor } from '../../src/realtime/delivery/frames.js';
import { projectionDb, recorded, type ProjectionDb } from './support.js';

describe('the resume index projection', () => {
  let db: ProjectionDb;
  beforeAll(async () => {
    db = await projectionDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
  const conversationId = randomUUID();
  const at = '2026-01-01T00:00:00.000Z';
  const log = recorded([
    { type: 'DirectConversationStarted', data: { conversationId, memberIds: [alice, bob], startedAt: at } },
    {
      type: 'MessageSent',
      data: {
        conversationId,
        messageId: randomUUID(),
        seq: 1,
        senderId: alice,
        body: 'hi',
        recipientIds: [alice, bob],
        sentAt: at,
      },
    },
    // No frame, so in nobody's index.
    {
      type: 'UserRegistered',
      data: {
        userId: carol,
        username: 'carol',
        email: 'carol@example.com',
        displayName: 'Carol',
        passwordHash: 'hash',
        messagePolicy: 'everyone',
        registeredAt: at,
      },
      version: 2,
    },
    { type: 'ContactAdded', data: { ownerId: alice, contactId: carol, addedAt: at } },
  ]);
  const rows = async () =>
    (
      await db.rows('SELECT user_id, position, revision FROM user_event_positions ORDER BY position, user_id')
    ).map((row) => [row.user_id, Number(row.position), Number(row.revision)]);
  const expected = [
    ...[alice, bob].sort().map((user) => [user, 1, 0]),
    ...[alice, bob].sort().map((user) => [user, 2, 1]),
    [alice, 4, 3],
  ];

  it('keeps, per user, the position, stream and revision of every event framed for them', async () => {
    await db.apply(resumeIndexProjection(frameFor), log);
    expect(await rows()).toEqual(expected);
    const [first] = await db.rows('SELECT stream_name FROM user_event_positions LIMIT 1');
    expect(first?.stream_name).toBe('spec');
  });

  it('gives the same rows whatever the batches, and nothing twice when applied again', async () => {
    await db.reset(resumeIndexProjection(frameFor));
    await db.apply(resumeIndexProjection(frameFor), log, 1);
    await db.apply(resumeIndexProjection(frameFor), log);
    expect(await rows()).toEqual(expected);
  });
});
