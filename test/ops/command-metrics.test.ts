import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandInstruments } from '../../src/commands/command-instruments.js';
import { contactLists } from '../../src/commands/aggregates.js';
import type { CommandContext } from '../../src/commands/command-handler.js';
import { contactsStreamName } from '../../src/domain/contacts/contacts.js';
import { WrongExpectedRevisionError } from '../../src/eventstore/errors.js';
import { createPostgresEventStore } from '../../src/eventstore/postgres/index.js';
import { openLog, type LogStore } from '../../src/log.js';
import { createCommandMetrics, createMetrics, type Metrics } from '../../src/http/metrics.js';
import { storeWith } from '../realtime/support/harness.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { sample } from './support.js';

let db: TestDatabase;
let store: LogStore;

beforeAll(async () => {
  db = await createTestDatabase();
  store = openLog(await createPostgresEventStore({ connectionString: db.url }), console);
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

const add = (ownerId: string, contactId: string) => ({
  type: 'AddContact' as const,
  ownerId,
  contactId,
  now: 'now',
});

/**
 * A command context whose first `races` appends each find that another process wrote to the
 * stream just before (a real append, through the real store), as a concurrent writer would.
 */
function racingContext(metrics: Metrics, races: number): CommandContext {
  let left = races;
  const racing = storeWith(store, {
    async appendToStream(streamName, events, options) {
      if (left > 0) {
        left -= 1;
        const owner = streamName.slice(streamName.indexOf('-') + 1);
        await contactLists.handle({ store }, owner, add(owner, `rival-${left}`));
      }
      return store.appendToStream(streamName, events, options);
    },
  });
  return {
    store: racing,
    instruments: createCommandInstruments({ tracing: undefined, metrics: createCommandMetrics(metrics) }),
  };
}

describe('command metrics', () => {
  it('count commands by type and outcome, and every concurrency retry', async () => {
    const metrics = createMetrics();
    const owner = `owner-${Date.now()}`;
    const stream = contactsStreamName(owner);
    const context = racingContext(metrics, 2);

    await contactLists.handle(context, owner, add(owner, 'c1'));
    await contactLists.handle(context, owner, add(owner, 'c1'));
    await expect(contactLists.handle(context, owner, add(owner, owner))).rejects.toThrow('yourself');

    const text = await metrics.registry.metrics();
    const commands = (outcome: string) =>
      sample(text, 'chat_commands_total', { type: 'AddContact', outcome });
    expect(commands('appended')).toBe(1);
    expect(commands('unchanged')).toBe(1);
    expect(commands('rejected')).toBe(1);
    // The first append met two concurrent writes, and was decided again after each.
    expect(sample(text, 'chat_command_retries_total', { type: 'AddContact' })).toBe(2);
    const contacts = (await store.readStream(stream)).map((event) =>
      'contactId' in event.data ? event.data.contactId : '',
    );
    expect(contacts.sort()).toEqual(['c1', 'rival-0', 'rival-1']);
  });

  it('count a command that ran out of retries as a conflict', async () => {
    const metrics = createMetrics();
    const owner = `loser-${Date.now()}`;
    const context = racingContext(metrics, 3);
    await expect(
      contactLists.handle(context, owner, add(owner, 'c1'), { maxRetries: 2 }),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    const text = await metrics.registry.metrics();
    expect(sample(text, 'chat_commands_total', { type: 'AddContact', outcome: 'conflict' })).toBe(1);
    expect(sample(text, 'chat_command_retries_total', { type: 'AddContact' })).toBe(2);
  });
});
