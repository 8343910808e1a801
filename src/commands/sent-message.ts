import { conversationStreamName, messageIdForClientId } from '../domain/conversation/conversation.js';
import type { ConversationEvent } from '../domain/conversation/events.js';
import type { ConversationState } from '../domain/conversation/state.js';
import type { CommandContext, CommandOutcome } from './command-handler.js';

/**
 * The message a send produced or, for a re-send with a known clientMessageId, the one the first
 * send produced, with its position (read from the stream: re-sends are rare).
 */
export async function sentMessage(
  context: CommandContext,
  outcome: CommandOutcome<ConversationState, ConversationEvent>,
  send: { senderId: string; messageId: string; clientMessageId: string | undefined },
): Promise<{ messageId: string; position: bigint }> {
  if (outcome.appended.length > 0 && outcome.position !== undefined) {
    return { messageId: send.messageId, position: outcome.position };
  }
  const original =
    send.clientMessageId === undefined
      ? undefined
      : messageIdForClientId(outcome.state, send.senderId, send.clientMessageId);
  if (original === undefined || outcome.state.status !== 'active') {
    throw new Error('a send appended nothing and matched no earlier message');
  }
  const events = await context.store.readStream(conversationStreamName(outcome.state.conversationId));
  const recorded = events.find((event) => event.type === 'MessageSent' && event.data.messageId === original);
  if (!recorded) throw new Error(`message ${original} is not in its conversation stream`);
  return { messageId: original, position: recorded.position };
}
