// Long because the check against a generated log carries its own plain model of unread counts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationCommand } from '../../../src/domain/conversation/commands.js';
import { conversationDecider } from '../../../src/domain/conversation/conversation.js';
import type { ConversationEvent } from '../../../src/domain/conversation/events.js';
import type { ConversationState } from '../../../src/domain/conversation/state.js';
import { DomainError } from '../../../src/domain/errors.js';
import { conversationsProjection } from '../../../src/read-models/conversations/projection.js';
import { historyProjection } from '../../../src/read-models/history/projection.js';
import { projectionDb, recorded, seededRandom, type ProjectionDb } from '../support.js';

let db: ProjectionDb;
beforeAll(async () => {
  db = await projectionDb();
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  await db.reset(conversationsProjection);
  await db.reset(historyProjection);
});

const [ada, bob, cy, dee] = Array.from({ length: 4 }, () => randomUUID()) as [string, string, string, string];
const NOW = '2026-01-01T00:00:00.000Z';
/** A command without the fields every step shares. */
type Step = ConversationCommand extends infer C
  ? C extends ConversationCommand
    ? Omit<C, 'conversationId' | 'now'>
    : never
  : never;

/** Runs commands through the real decider and returns the events it decided (refusals skipped). */
function decided(conversationId: string, commands: readonly Step[]) {
  let state: ConversationState = conversationDecider.initialState();
  const events: ConversationEvent[] = [];
  for (const command of commands) {
    try {
      const decision = conversationDecider.decide(
        { ...command, conversationId, now: NOW } as ConversationCommand,
        state,
      );
      for (const event of decision) state = conversationDecider.evolve(state, event);
      events.push(...decision);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return events;
}

const members = () =>
  db.rows(
    'SELECT conversation_id, user_id::text, last_read_seq, unread_count FROM conversation_members ORDER BY conversation_id, user_id',
  );
const conversations = () =>
  db.rows(
    `SELECT conversation_id, kind, title, activity_position::text, last_message_id, last_message_sender_id,
            last_message_body, last_message_position::text, last_message_deleted
       FROM conversations ORDER BY conversation_id`,
  );
const messages = () =>
  db.rows(
    'SELECT message_id, seq, sender_id, body, edited_at, deleted, position::text FROM messages ORDER BY position',
  );

describe('the conversations projection', () => {
  it('counts unread messages per member, and a read marker resets them, within one batch', async () => {
    const id = randomUUID();
    const [m1, m2, m3] = [randomUUID(), randomUUID(), randomUUID()];
    const events = decided(id, [
      { type: 'SendMessage', actorId: ada, messageId: m1, body: 'one', directRecipientId: bob },
      { type: 'SendMessage', actorId: ada, messageId: m2, body: 'two' },
      { type: 'MarkRead', actorId: bob, messageId: m2 },
      { type: 'SendMessage', actorId: ada, messageId: m3, body: 'three' },
      { type: 'SendMessage', actorId: bob, messageId: randomUUID(), body: 'back' },
    ]);
    await db.apply(conversationsProjection, recorded(events));
    expect(await members()).toEqual([
      expect.objectContaining({ user_id: [ada, bob].sort()[0] }),
      expect.objectContaining({ user_id: [ada, bob].sort()[1] }),
    ]);
    const byUser = new Map((await members()).map((row) => [row.user_id, row]));
    expect(byUser.get(bob)).toMatchObject({ last_read_seq: 2, unread_count: 1 });
    expect(byUser.get(ada)).toMatchObject({ last_read_seq: 0, unread_count: 1 });
    expect(await conversations()).toEqual([
      expect.objectContaining({
        kind: 'direct',
        last_message_body: 'back',
        last_message_sender_id: bob,
        activity_position: '6',
      }),
    ]);
  });

  it('does not count the deletion of a message at or before a member’s read marker', async () => {
    const id = randomUUID();
    const [m1, m2, m3] = [randomUUID(), randomUUID(), randomUUID()];
    const events = decided(id, [
      { type: 'SendMessage', actorId: ada, messageId: m1, body: 'one', directRecipientId: bob },
      { type: 'SendMessage', actorId: ada, messageId: m2, body: 'two' },
      { type: 'MarkRead', actorId: bob, messageId: m2 },
      { type: 'SendMessage', actorId: ada, messageId: m3, body: 'three' },
      { type: 'DeleteMessage', actorId: ada, messageId: m2 },
      { type: 'DeleteMessage', actorId: ada, messageId: m1 },
    ]);
    expect(events).toHaveLength(7);
    const log = recorded(events);
    await db.apply(conversationsProjection, log.slice(0, 4));
    await db.apply(conversationsProjection, log.slice(4));
    expect((await members()).find((row) => row.user_id === bob)).toMatchObject({
      last_read_seq: 2,
      unread_count: 1,
    });
  });

  it('applies edits and deletes of the last message whether it was sent in this batch or before', async () => {
    const id = randomUUID();
    const [m1, m2] = [randomUUID(), randomUUID()];
    const events = recorded(
      decided(id, [
        { type: 'SendMessage', actorId: ada, messageId: m1, body: 'first', directRecipientId: bob },
        { type: 'SendMessage', actorId: ada, messageId: m2, body: 'second' },
        { type: 'EditMessage', actorId: ada, messageId: m2, body: 'second, edited' },
        { type: 'EditMessage', actorId: ada, messageId: m1, body: 'first, edited' },
        { type: 'DeleteMessage', actorId: ada, messageId: m2 },
      ]),
    );
    await db.apply(conversationsProjection, events.slice(0, 2));
    await db.apply(conversationsProjection, events.slice(2, 4));
    expect(await conversations()).toEqual([expect.objectContaining({ last_message_body: 'second, edited' })]);
    await db.apply(conversationsProjection, events.slice(4));
    expect(await conversations()).toEqual([
      expect.objectContaining({ last_message_id: m2, last_message_body: null, last_message_deleted: true }),
    ]);
    const bobRow = (await members()).find((row) => row.user_id === bob);
    expect(bobRow).toMatchObject({ unread_count: 1 });
  });

  it('counts for a member added in the middle of a batch only what came after, and forgets one removed', async () => {
    const id = randomUUID();
    const events = decided(id, [
      { type: 'CreateGroup', actorId: ada, title: 'g', memberIds: [ada, bob] },
      { type: 'SendMessage', actorId: ada, messageId: randomUUID(), body: 'before cy' },
      { type: 'AddMember', actorId: ada, userId: cy },
      { type: 'SendMessage', actorId: bob, messageId: randomUUID(), body: 'after cy' },
      { type: 'RemoveMember', actorId: ada, userId: bob },
      { type: 'SendMessage', actorId: ada, messageId: randomUUID(), body: 'after bob left' },
    ]);
    await db.apply(conversationsProjection, recorded(events));
    const byUser = new Map((await members()).map((row) => [row.user_id, row]));
    expect([...byUser.keys()].sort()).toEqual([ada, cy].sort());
    expect(byUser.get(cy)).toMatchObject({ unread_count: 2, last_read_seq: 1 });
    expect(byUser.get(ada)).toMatchObject({ unread_count: 1 });
  });
});

/** A random but valid conversation log, made by the real decider from random commands. */
function generatedLog(seed: number, length: number): ConversationEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const users = [ada, bob, cy, dee];
  const logs: ConversationEvent[][] = [];
  for (let c = 0; c < 3; c++) {
    const id = randomUUID();
    const sent: string[] = [];
    const commands: Step[] = [
      c === 0
        ? { type: 'SendMessage', actorId: ada, messageId: randomUUID(), body: 'hi', directRecipientId: bob }
        : { type: 'CreateGroup', actorId: ada, title: `group ${c}`, memberIds: [ada, bob, cy] },
    ];
    for (let i = 0; i < length; i++) {
      const roll = random();
      const actorId = pick(users);
      if (roll < 0.45) {
        const messageId = randomUUID();
        sent.push(messageId);
        commands.push({ type: 'SendMessage', actorId, messageId, body: `m${i}` });
      } else if (roll < 0.6 && sent.length > 0) {
        commands.push({ type: 'EditMessage', actorId, messageId: pick(sent), body: `edit ${i}` });
      } else if (roll < 0.7 && sent.length > 0) {
        commands.push({ type: 'DeleteMessage', actorId, messageId: pick(sent) });
      } else if (roll < 0.88 && sent.length > 0) {
        commands.push({ type: 'MarkRead', actorId, messageId: pick(sent) });
      } else if (roll < 0.94) {
        commands.push({ type: 'AddMember', actorId: ada, userId: pick(users) });
      } else {
        commands.push({ type: 'RemoveMember', actorId: ada, userId: pick([bob, cy, dee]) });
      }
    }
    logs.push(decided(id, commands));
  }
  // Interleave the conversations as a log would.
  const log: ConversationEvent[] = [];
  while (logs.some((events) => events.length > 0)) {
    const from = pick(logs.filter((events) => events.length > 0));
    log.push(from.shift()!);
  }
  return log;
}

/** What the rows must say, worked out plainly from the events: unread = others' live messages past the marker. */
function expectedMembers(events: readonly ConversationEvent[]) {
  const marker = new Map<string, number>();
  const sent = new Map<
    string,
    {
      conversationId: string;
      senderId: string;
      seq: number;
      recipientIds: readonly string[];
      deleted: boolean;
    }
  >();
  const key = (conversationId: string, userId: string) => `${conversationId} ${userId}`;
  for (const event of events) {
    switch (event.type) {
      case 'DirectConversationStarted':
      case 'GroupCreated':
        for (const userId of event.data.memberIds) marker.set(key(event.data.conversationId, userId), 0);
        break;
      case 'MemberAdded':
        marker.set(key(event.data.conversationId, event.data.userId), event.data.readUpToSeq);
        break;
      case 'MemberRemoved':
        marker.delete(key(event.data.conversationId, event.data.userId));
        break;
      case 'MessageSent':
        sent.set(event.data.messageId, { ...event.data, deleted: false });
        break;
      case 'MessageDeleted':
        sent.get(event.data.messageId)!.deleted = true;
        break;
      case 'ConversationRead':
        marker.set(key(event.data.conversationId, event.data.userId), event.data.readUpToSeq);
        break;
    }
  }
  return [...marker].map(([memberKey, lastReadSeq]) => {
    const [conversationId, userId] = memberKey.split(' ') as [string, string];
    const unread = [...sent.values()].filter(
      (message) =>
        message.conversationId === conversationId &&
        message.senderId !== userId &&
        message.seq > lastReadSeq &&
        message.recipientIds.includes(userId) &&
        !message.deleted,
    ).length;
    return { conversationId, userId, lastReadSeq, unread };
  });
}

describe('conversations and history, batched or not', () => {
  it.each([1, 2, 3])('write the same rows whatever the batches (generated log %i)', async (seed) => {
    const events = recorded(generatedLog(seed, 250));
    expect(events.length).toBeGreaterThan(200);
    const snapshot = async () => ({
      conversations: await conversations(),
      members: await members(),
      messages: await messages(),
    });

    await db.apply(conversationsProjection, events, 1);
    await db.apply(historyProjection, events, 1);
    const oneByOne = await snapshot();
    const domainEvents = events.map((event) => ({ type: event.type, data: event.data }) as ConversationEvent);
    expect(
      oneByOne.members
        .map((row) => ({
          conversationId: row.conversation_id,
          userId: row.user_id,
          lastReadSeq: row.last_read_seq,
          unread: row.unread_count,
        }))
        .sort((a, b) => `${a.conversationId}${a.userId}`.localeCompare(`${b.conversationId}${b.userId}`)),
    ).toEqual(
      expectedMembers(domainEvents).sort((a, b) =>
        `${a.conversationId}${a.userId}`.localeCompare(`${b.conversationId}${b.userId}`),
      ),
    );
    for (const batchSize of [events.length, 7, 50]) {
      await db.reset(conversationsProjection);
      await db.reset(historyProjection);
      await db.apply(conversationsProjection, events, batchSize);
      await db.apply(historyProjection, events, batchSize);
      expect(await snapshot()).toEqual(oneByOne);
    }
  });
});
