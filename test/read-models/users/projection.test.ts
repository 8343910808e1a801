import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERASED_DISPLAY_NAME, ERASED_EMAIL } from '../../../src/domain/personal-data.js';
import { usersProjection } from '../../../src/read-models/users/projection.js';
import { at, projectionDb, recorded, type ProjectionDb } from '../support.js';

let db: ProjectionDb;
beforeAll(async () => {
  db = await projectionDb();
});
afterAll(async () => {
  await db?.close();
});

/** A registration as written today (version 2: with the message policy it starts with). */
const registration = (userId: string, username: string) => ({
  type: 'UserRegistered',
  version: 2,
  data: {
    userId,
    username,
    email: `${username}@example.com`,
    displayName: username[0]!.toUpperCase() + username.slice(1),
    passwordHash: '$2b$04$hash',
    messagePolicy: 'everyone',
    registeredAt: at(1),
  },
});

const displayNames = async (userId: string) =>
  (await db.rows(`SELECT display_name FROM users WHERE user_id = '${userId}'`)).map(
    (row) => row.display_name,
  );

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

  it('keeps the last display name of a batch, and a later batch changes it again', async () => {
    const userId = randomUUID();
    const renamed = (displayName: string, minute: number) => ({
      type: 'ProfileChanged',
      data: { userId, displayName, changedAt: at(minute) },
    });
    await db.apply(
      usersProjection,
      recorded([
        registration(userId, 'bea'),
        renamed('Bea', 2),
        { type: 'ProfileChanged', data: { userId, messagePolicy: 'contacts', changedAt: at(3) } },
        renamed('Beatrice', 4),
      ]),
    );
    expect(await displayNames(userId)).toEqual(['Beatrice']);
    await db.apply(usersProjection, recorded([renamed('B.', 5)]));
    expect(await displayNames(userId)).toEqual(['B.']);
  });

  it('leaves an erased user only the id and the username, unverified', async () => {
    const [erased, kept] = [randomUUID(), randomUUID()];
    await db.apply(
      usersProjection,
      recorded([
        registration(erased, 'cyd'),
        registration(kept, 'dot'),
        {
          type: 'EmailVerified',
          data: { userId: erased, email: 'cyd@example.com', codeDigest: 'd', verifiedAt: at(2) },
        },
        { type: 'UserErased', data: { userId: erased, username: 'cyd', erasedAt: at(3) } },
      ]),
    );
    expect(
      await db.rows(
        `SELECT username, email, display_name, email_verified FROM users
          WHERE user_id IN ('${erased}', '${kept}') ORDER BY username`,
      ),
    ).toEqual([
      { username: 'cyd', email: ERASED_EMAIL, display_name: ERASED_DISPLAY_NAME, email_verified: false },
      { username: 'dot', email: 'dot@example.com', display_name: 'Dot', email_verified: false },
    ]);
  });
});
