import { typeGuard, type Decider } from '../decider.js';
import type { ConversationCommand } from './commands.js';
import { decide } from './decide.js';
import { evolve } from './evolve.js';
import { conversationEventTypes, type ConversationEvent } from './events.js';
import { clientMessageKey, type ConversationState } from './state.js';

export const conversationStreamName = (conversationId: string) => `conversation-${conversationId}`;

export const conversationDecider: Decider<ConversationState, ConversationCommand, ConversationEvent> = {
  initialState: () => ({ status: 'none' }),
  isEvent: typeGuard<ConversationEvent>(conversationEventTypes),
  evolve,
  decide,
};

/** The message a sender already sent with this client id, if any (for idempotent re-sends). */
export function messageIdForClientId(
  state: ConversationState,
  senderId: string,
  clientMessageId: string,
): string | undefined {
  return state.status === 'active'
    ? state.clientMessages.get(clientMessageKey(senderId, clientMessageId))
    : undefined;
}
