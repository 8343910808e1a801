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
