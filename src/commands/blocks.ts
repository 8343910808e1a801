import { blocksDecider, blocksStreamName } from '../domain/blocks/blocks.js';
import { loadAggregate, type CommandContext } from './handle-command.js';

/** Whether either user blocks the other, read from both block lists in the event store. */
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
