import { blocksDecider, blocksStreamName } from '../domain/blocks/blocks.js';
import { contactsDecider, contactsStreamName } from '../domain/contacts/contacts.js';
import type { MessagePolicy } from '../domain/user/user.js';
import { loadAggregate, type CommandContext } from './handle-command.js';

/** Whether either user blocks the other, read from both block lists (cached, kept current by the log). */
export async function blockedBetween(
  context: CommandContext,
  userA: string,
  userB: string,
): Promise<boolean> {
  const [ofA, ofB] = await Promise.all([
    loadAggregate(context, blocksStreamName(userA), blocksDecider),
    loadAggregate(context, blocksStreamName(userB), blocksDecider),
  ]);
  return ofA.blocked.has(userB) || ofB.blocked.has(userA);
}

/** Those of `userIds` whose block list holds `userId` (from the cache the log keeps current). */
export async function whoBlocks(
  context: CommandContext,
  userId: string,
  userIds: Iterable<string>,
): Promise<string[]> {
  const candidates = [...new Set(userIds)].filter((other) => other !== userId);
  const lists = await Promise.all(
    candidates.map((other) => loadAggregate(context, blocksStreamName(other), blocksDecider)),
  );
  return candidates.filter((_, index) => lists[index]!.blocked.has(userId));
}

/** Whether the user takes a new conversation from `senderId`: their message policy, and their contacts. */
export async function acceptsMessagesFrom(
  context: CommandContext,
  user: { readonly userId: string; readonly messagePolicy: MessagePolicy },
  senderId: string,
): Promise<boolean> {
  if (user.messagePolicy === 'everyone') return true;
  const contacts = await loadAggregate(context, contactsStreamName(user.userId), contactsDecider);
  return contacts.contacts.has(senderId);
}
