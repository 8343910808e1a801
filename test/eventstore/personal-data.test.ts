import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../../src/domain/catalog.js';
import { ERASED_BODY, ERASED_DISPLAY_NAME, ERASED_EMAIL } from '../../src/domain/personal-data.js';
import { createEventStore } from '../../src/eventstore/create-event-store.js';
import { WrongExpectedRevisionError } from '../../src/eventstore/errors.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { reapplyErasures } from '../../src/eventstore/personal-data.js';
import { catalogPersonalData, openLog, type LogStore } from '../../src/log.js';
import { MasterKeyMismatchError, openPersonalDataKeys } from '../../src/platform/personal-data-keys.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const silent = { warn: () => undefined, error: () => undefined };
const masterKey = randomBytes(32);

/*
 * Sealing happens at the log boundary, over any adapter: the same checks run on the PostgreSQL
 * store and, when ESDB_URL names a server, on EventStoreDB (keys in PostgreSQL either way).
 */
const targets: { name: string; url: (db: TestDatabase) => string; writtenByAppends: boolean }[] = [
  { name: 'PostgreSQL, keys written by the appends', url: (db) => db.url, writtenByAppends: true },
  { name: 'PostgreSQL, keys stored first', url: (db) => db.url, writtenByAppends: false },
  ...(process.env.ESDB_URL
    ? [{ name: 'EventStoreDB', url: () => process.env.ESDB_URL!, writtenByAppends: false }]
    : []),
];

for (const target of targets) {
  describe(`personal data sealed at the log boundary: ${target.name}`, () => {
    let db: TestDatabase;
    let pool: pg.Pool;
    let raw: EventStore;
    /** Two processes: each its own log boundary and key cache, sharing the store and the keys table. */
    let first: LogStore;
    let second: LogStore;
    const keysOf = (key = masterKey) =>
      openPersonalDataKeys(pool, key, { writtenByAppends: target.writtenByAppends });

    beforeAll(async () => {
      db = await createTestDatabase('personal_data');
      pool = new pg.Pool({ connectionString: db.url, max: 4 });
      raw = await createEventStore({ url: target.url(db) });
      first = openLog(raw, silent, await keysOf());
      second = openLog(raw, silent, await keysOf());
    });
    afterAll(async () => {
      await raw?.close();
      await pool?.end();
      await db?.drop();
    });

    const message = (conversationId: string, senderId: string, body: string) => {
      const messageId = randomUUID();
      const event: CatalogEvent = {
        type: 'MessageSent',
        data: {
          conversationId,
          messageId,
          seq: 1,
          senderId,
          body,
          recipientIds: [senderId],
          sentAt: new Date().toISOString(),
        },
      };
      return { messageId, event: { id: randomUUID(), ...event } };
    };
    const bodyOf = async (log: LogStore, stream: string, messageId: string) => {
      const events = await log.readStream(stream);
      const found = events.find(
        (event) => event.type === 'MessageSent' && event.data.messageId === messageId,
      );
      return found?.type === 'MessageSent' ? found.data.body : undefined;
    };

    it('stores bodies sealed, reads them in the clear, and forgets them everywhere once deleted', async () => {
      const stream = `conversation-${randomUUID()}`;
      const sender = randomUUID();
      const sent = message(stream.slice(13), sender, 'the secret body');
      await first.appendToStream(stream, [sent.event]);

      const stored = await raw.readStream(stream);
      expect(JSON.stringify(stored[0]!.data)).not.toContain('the secret body');
      expect(stored[0]!.metadata.personal).toEqual({
        subject: `message:${sent.messageId}`,
        fields: ['body'],
      });
      expect(await bodyOf(first, stream, sent.messageId)).toBe('the secret body');
      expect(await bodyOf(second, stream, sent.messageId)).toBe('the secret body');

      await first.appendToStream(stream, [
        {
          id: randomUUID(),
          type: 'MessageDeleted',
          data: {
            conversationId: stream.slice(13),
            messageId: sent.messageId,
            seq: 1,
            senderId: sender,
            recipientIds: [sender],
            deletedAt: new Date().toISOString(),
          },
        },
      ]);
      expect(await bodyOf(first, stream, sent.messageId)).toBe(ERASED_BODY);
      // The other process had the key cached: the erasure event in its log makes it forget it.
      const stillCached = await bodyOf(second, stream, sent.messageId);
      expect(stillCached === ERASED_BODY || stillCached === 'the secret body').toBe(true);
      await second.readStream(stream);
      expect(await bodyOf(second, stream, sent.messageId)).toBe(ERASED_BODY);
      const fresh = openLog(raw, silent, await keysOf());
      expect(await bodyOf(fresh, stream, sent.messageId)).toBe(ERASED_BODY);
    });

    it("erases a user's profile and every body they wrote, even ones sealed afterwards", async () => {
      const userId = randomUUID();
      const userStream = `user-${userId}`;
      await first.appendToStream(userStream, [
        {
          id: randomUUID(),
          type: 'UserRegistered',
          data: {
            userId,
            username: `u${userId.slice(0, 8)}`,
            email: `${userId}@example.com`,
            displayName: 'Someone Real',
            passwordHash: '$2b$hash',
            messagePolicy: 'everyone',
            registeredAt: new Date().toISOString(),
          },
        },
      ]);
      const conversation = `conversation-${randomUUID()}`;
      const sent = message(conversation.slice(13), userId, 'written before');
      await second.appendToStream(conversation, [sent.event]);
      expect(await bodyOf(first, conversation, sent.messageId)).toBe('written before');

      await first.appendToStream(userStream, [
        {
          id: randomUUID(),
          type: 'UserErased',
          data: { userId, username: `u${userId.slice(0, 8)}`, erasedAt: new Date().toISOString() },
        },
      ]);
      const [registered] = await first.readStream(userStream);
      expect(registered?.data).toMatchObject({ email: ERASED_EMAIL, displayName: ERASED_DISPLAY_NAME });
      expect(await bodyOf(first, conversation, sent.messageId)).toBe(ERASED_BODY);

      const late = message(conversation.slice(13), userId, 'written after');
      await first.appendToStream(conversation, [late.event], { expectedRevision: 0n });
      expect(JSON.stringify((await raw.readStream(conversation)).map((event) => event.data))).not.toContain(
        'written after',
      );
      expect(await bodyOf(first, conversation, late.messageId)).toBe(ERASED_BODY);
    });

    it('destroys again, after a restore of the keys table, what the log erased', async () => {
      const stream = `conversation-${randomUUID()}`;
      const sender = randomUUID();
      const sent = message(stream.slice(13), sender, 'restored by mistake');
      await first.appendToStream(stream, [sent.event]);
      const { rows } = await pool.query<{ wrapped_key: Buffer }>(
        'SELECT wrapped_key FROM personal_data_keys WHERE subject_id = $1',
        [`message:${sent.messageId}`],
      );
      await first.appendToStream(stream, [
        {
          id: randomUUID(),
          type: 'MessageDeleted',
          data: {
            conversationId: stream.slice(13),
            messageId: sent.messageId,
            seq: 1,
            senderId: sender,
            recipientIds: [sender],
            deletedAt: new Date().toISOString(),
          },
        },
      ]);
      // An old backup of the keys table comes back.
      await pool.query(
        'UPDATE personal_data_keys SET wrapped_key = $2, erased_at = NULL WHERE subject_id = $1',
        [`message:${sent.messageId}`, rows[0]!.wrapped_key],
      );
      const keys = await keysOf();
      expect(await bodyOf(openLog(raw, silent, keys), stream, sent.messageId)).toBe('restored by mistake');
      expect(await reapplyErasures(raw, catalogPersonalData, keys)).toBeGreaterThanOrEqual(1);
      const fresh = openLog(raw, silent, await keysOf());
      expect(await bodyOf(fresh, stream, sent.messageId)).toBe(ERASED_BODY);
    });

    it('reads events written before sealing as they are', async () => {
      const stream = `conversation-${randomUUID()}`;
      const sent = message(stream.slice(13), randomUUID(), 'an old plaintext body');
      await raw.appendToStream(stream, [sent.event]);
      expect(await bodyOf(first, stream, sent.messageId)).toBe('an old plaintext body');
    });

    it('refuses to read with another master key, loudly', async () => {
      const stream = `conversation-${randomUUID()}`;
      const sent = message(stream.slice(13), randomUUID(), 'sealed body');
      await first.appendToStream(stream, [sent.event]);
      const wrong = openLog(raw, silent, await keysOf(randomBytes(32)));
      await expect(wrong.readStream(stream)).rejects.toBeInstanceOf(MasterKeyMismatchError);
    });

    it('keeps no key for an append that was refused, and seals its retry under a key that is stored', async () => {
      const stream = `conversation-${randomUUID()}`;
      const sender = randomUUID();
      await first.appendToStream(stream, [message(stream.slice(13), sender, 'first').event]);
      const refused = message(stream.slice(13), sender, 'refused');
      await expect(
        first.appendToStream(stream, [refused.event], { expectedRevision: 'no_stream' }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      const keyRows = async () =>
        (
          await pool.query('SELECT 1 FROM personal_data_keys WHERE subject_id = $1', [
            `message:${refused.messageId}`,
          ])
        ).rowCount;
      // Written by the append, a key goes with it; stored first, it stays and seals nothing.
      expect(await keyRows()).toBe(target.writtenByAppends ? 0 : 1);
      await first.appendToStream(stream, [{ ...refused.event, id: randomUUID() }], { expectedRevision: 0n });
      expect(await keyRows()).toBe(1);
      const fresh = openLog(raw, silent, await keysOf());
      expect(await bodyOf(fresh, stream, refused.messageId)).toBe('refused');
    });

    it('seals again under the stored key a subject wrongly taken for new', async () => {
      const stream = `conversation-${randomUUID()}`;
      const sender = randomUUID();
      const sent = message(stream.slice(13), sender, 'original');
      await first.appendToStream(stream, [sent.event]);
      // Another process, which has not seen the key, sends a message with the same id.
      const again = { ...sent.event, id: randomUUID(), data: { ...sent.event.data, body: 'again' } };
      await second.appendToStream(stream, [again as typeof sent.event], { expectedRevision: 0n });
      const fresh = openLog(raw, silent, await keysOf());
      const bodies = (await fresh.readStream(stream)).map((event) =>
        event.type === 'MessageSent' ? event.data.body : undefined,
      );
      expect(bodies).toEqual(['original', 'again']);
    });

    it('gives a key born destroyed to a message of an owner erased by another process', async () => {
      const userId = randomUUID();
      await first.appendToStream(`user-${userId}`, [
        {
          id: randomUUID(),
          type: 'UserErased',
          data: { userId, username: `u${userId.slice(0, 8)}`, erasedAt: new Date().toISOString() },
        },
      ]);
      const stream = `conversation-${randomUUID()}`;
      // `second` has not read the erasure: it makes a key, which the database stores destroyed.
      const late = message(stream.slice(13), userId, 'sent while being erased');
      await second.appendToStream(stream, [late.event]);
      const fresh = openLog(raw, silent, await keysOf());
      expect(await bodyOf(fresh, stream, late.messageId)).toBe(ERASED_BODY);
      const { rows } = await pool.query<{ wrapped_key: Buffer | null }>(
        'SELECT wrapped_key FROM personal_data_keys WHERE subject_id = $1',
        [`message:${late.messageId}`],
      );
      expect(rows).toEqual([{ wrapped_key: null }]);
    });

    it('opens, in a read of the log, only the types the reader reads', async () => {
      const stream = `conversation-${randomUUID()}`;
      const sent = message(stream.slice(13), randomUUID(), 'only for readers of messages');
      await first.appendToStream(stream, [sent.event]);
      const readAs = async (types: ReadonlySet<string>) => {
        const fresh = openLog(raw, silent, await keysOf());
        const events = await fresh.readAll({ personalDataOf: types });
        const event = events.find((each) => each.streamName === stream);
        return event?.type === 'MessageSent' ? event.data.body : undefined;
      };
      expect(await readAs(new Set(['MessageSent']))).toBe('only for readers of messages');
      // Skipped by the reader: neither decrypted nor handed on sealed.
      expect(await readAs(new Set(['UserRegistered']))).toBe(ERASED_BODY);
    });
  });
}
