import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyProjection } from '../../src/read-models/history/projection.js';
import { projectionDb, recorded, type ProjectionDb } from './support.js';

let db: ProjectionDb;
beforeAll(async () => {
  db = await projectionDb();
});
afterAll(async () => {
  await db?.close();
});

const conversationId = randomUUID();
const senderId = randomUUID();
const sent = (messageId: string, seq: number, body: string) => ({
  type: 'MessageSent',
  data: {
    conversationId,
    messageId,
    seq,
    senderId,
    body,
    recipientIds: [],
    sentAt: '2026-01-01T00:00:00.000Z',
  },
});
const edited = (messageId: string, body: string, minute: number) => ({
  type: 'MessageEdited',
  data: {
    conversationId,
    messageId,
    seq: 1,
    senderId,
    body,
    recipientIds: [],
    editedAt: `2026-01-01T00:0${minute}:00.000Z`,
  },
});
const deleted = (messageId: string) => ({
  type: 'MessageDeleted',
  data: {
    conversationId,
    messageId,
    seq: 1,
    senderId,
    recipientIds: [],
    deletedAt: '2026-01-01T00:09:00.000Z',
  },
});

describe('the history projection', () => {
  it('writes new messages with their edits and deletes applied, and changes older ones once', async () => {
    const [old1, old2, old3, new1, new2] = Array.from({ length: 5 }, () => randomUUID()) as string[];
    await db.apply(
      historyProjection,
      recorded([sent(old1!, 1, 'a'), sent(old2!, 2, 'b'), sent(old3!, 3, 'c')]),
    );
    await db.apply(
      historyProjection,
      recorded([
        edited(old1!, 'a1', 1),
        edited(old1!, 'a2', 2),
        edited(old2!, 'b1', 3),
        deleted(old2!),
        edited(old2!, 'void', 4), // after the delete: no effect
        deleted(old3!),
        sent(new1!, 4, 'd'),
        edited(new1!, 'd1', 5),
        sent(new2!, 5, 'e'),
        deleted(new2!),
      ]),
    );
    const rows = await db.rows('SELECT message_id, body, edited_at, deleted FROM messages ORDER BY seq');
    expect(
      rows.map((row) => [
        row.message_id,
        row.body,
        row.deleted,
        (row.edited_at as Date | null)?.getUTCMinutes() ?? null,
      ]),
    ).toEqual([
      [old1, 'a2', false, 2],
      [old2, null, true, 3],
      [old3, null, true, null],
      [new1, 'd1', false, 5],
      [new2, null, true, null],
    ]);
  });
});
