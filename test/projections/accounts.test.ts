import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocksProjection } from '../../src/read-models/blocks/projection.js';
import { contactsProjection } from '../../src/read-models/contacts/projection.js';
import { usersProjection } from '../../src/read-models/users/projection.js';
import { projectionDb, recorded, type ProjectionDb } from './support.js';

let db: ProjectionDb;
beforeAll(async () => {
  db = await projectionDb();
});
afterAll(async () => {
  await db?.close();
});

const at = (minute: number) => `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`;

describe('the users projection', () => {
  it('inserts a registration and its verification from one batch, once', async () => {
    const userId = randomUUID();
    const registered = {
      type: 'UserRegistered',
      // Version 1, as written before registrations stated the message policy.
      version: 1,
      data: {
        userId,
        username: 'ada',
        email: 'ada@example.com',
        displayName: 'Ada',
        passwordHash: '$2b$04$hash',
        registeredAt: at(1),
      },
    };
    await db.apply(
      usersProjection,
      recorded([
        registered,
        {
          type: 'EmailVerified',
          data: { userId, email: 'ada@example.com', codeDigest: 'd', verifiedAt: at(2) },
        },
        registered,
      ]),
    );
    expect(await db.rows(`SELECT username, email_verified FROM users WHERE user_id = '${userId}'`)).toEqual([
      { username: 'ada', email_verified: true },
    ]);
  });
});

describe.each([
  {
    projection: contactsProjection,
    add: (owner: string, other: string, minute: number) => ({
      type: 'ContactAdded',
      data: { ownerId: owner, contactId: other, addedAt: at(minute) },
    }),
    remove: (owner: string, other: string) => ({
      type: 'ContactRemoved',
      data: { ownerId: owner, contactId: other, removedAt: at(9) },
    }),
    rows: (owner: string) =>
      db.rows(
        `SELECT contact_id::text AS other, added_at AS at FROM contacts WHERE owner_id = '${owner}' ORDER BY 1`,
      ),
  },
  {
    projection: blocksProjection,
    add: (owner: string, other: string, minute: number) => ({
      type: 'UserBlocked',
      data: { blockerId: owner, blockedId: other, blockedAt: at(minute) },
    }),
    remove: (owner: string, other: string) => ({
      type: 'UserUnblocked',
      data: { blockerId: owner, blockedId: other, unblockedAt: at(9) },
    }),
    rows: (owner: string) =>
      db.rows(
        `SELECT blocked_id::text AS other, blocked_at AS at FROM blocks WHERE blocker_id = '${owner}' ORDER BY 1`,
      ),
  },
])('the $projection.name projection', ({ projection, add, remove, rows }) => {
  it('ends each pair as the last event of the batch left it, whatever came before', async () => {
    const owner = randomUUID();
    const [kept, readded, gone, untouched] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await db.apply(
      projection,
      recorded([add(owner, untouched, 1), add(owner, readded, 1), add(owner, gone, 1)]),
    );
    await db.apply(
      projection,
      recorded([
        add(owner, kept, 2),
        add(owner, untouched, 2), // already there: keeps its first time
        remove(owner, readded),
        add(owner, readded, 3), // removed and added again: a fresh row
        add(owner, gone, 4),
        remove(owner, gone),
        remove(owner, randomUUID()), // never there
      ]),
    );
    const byOther = new Map((await rows(owner)).map((row) => [row.other, (row.at as Date).toISOString()]));
    expect(byOther).toEqual(
      new Map([
        [kept, at(2)],
        [untouched, at(1)],
        [readded, at(3)],
      ]),
    );
  });
});
