import type { MessagePolicy } from '../domain/user/user.js';
import type { CommandContext } from './command-handler.js';
import { blockLists, contactLists } from './aggregates.js';

/** Whether either user blocks the other, read from both block lists (cached, kept current by the log). */
export async function blockedBetween(
  context: CommandContext,
  userA: string,
  userB: string,
): Promise<boolean> {
  const [ofA, ofB] = await Promise.all([blockLists.state(context, userA), blockLists.state(context, userB)]);
  return ofA.blocked.has(userB) || ofB.blocked.has(userA);
}

/** Those of `userIds` whose block list holds `userId` (from the cache the log keeps current). */
export async function whoBlocks(
  context: CommandContext,
  userId: string,
  userIds: Iterable<string>,
): Promise<string[]> {
  const candidates = [...new Set(userIds)].filter((other) => other !== userId);
  const lists = await Promise.all(candidates.map((other) => blockLists.state(context, other)));
  return candidates.filter((_, index) => lists[index]!.blocked.has(userId));
}

/** Whether the user takes a new conversation from `senderId`: their message policy, and their contacts. */
export async function acceptsMessagesFrom(
  context: CommandContext,
  user: { readonly userId: string; readonly messagePolicy: MessagePolicy },
  senderId: string,
): Promise<boolean> {
  if (user.messagePolicy === 'everyone') return true;
  const contacts = await contactLists.state(context, user.userId);
  return contacts.contacts.has(senderId);
}
