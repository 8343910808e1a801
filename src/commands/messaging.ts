import { randomUUID } from 'node:crypto';
import { directConversationId } from '../domain/conversation/conversation-id.js';
import type { ConversationCommand, SendMessage } from '../domain/conversation/commands.js';
import type { ConversationState } from '../domain/conversation/state.js';
import { refuse } from '../domain/errors.js';
import type { EventMetadata } from '../eventstore/port.js';
import { conversations } from './aggregates.js';
import type { CommandContext } from './command-handler.js';
import { resolveUser } from './resolve-user.js';
import type { SendRate } from './send-rate.js';
import { sentMessage } from './sent-message.js';
import { acceptsMessagesFrom, blockedBetween, whoBlocks } from './who-may-message.js';

/*
 * The message use cases, one function each, called by both doors: the HTTP routes and the
 * WebSocket command frames. Whatever a door adds is glue (parsing, status codes, frames); every
 * rule (membership, blocks, message policy, rate limit, idempotency by clientMessageId) is here
 * or in the domain's decide, so the two doors cannot drift apart.
 */

export interface MessagingDeps extends CommandContext {
  readonly now: () => Date;
  readonly sendRate: SendRate;
}

/** Who acts, and what the events they cause carry (correlation, causation; built once per command). */
export interface Caller {
  readonly userId: string;
  readonly metadata: (now: Date) => EventMetadata;
}

/** A message to a conversation, or (`to`: a username or user id) to the direct conversation with a user. */
export interface SendInput {
  readonly body: string;
  readonly clientMessageId?: string | undefined;
  readonly conversationId?: string | undefined;
  readonly to?: string | undefined;
}

export interface SendResult {
  readonly messageId: string;
  readonly conversationId: string;
  readonly position: string;
}

export interface MessageRef {
  readonly conversationId: string;
  readonly messageId: string;
}

/** What a command that answers no body reports: the position of its (or the stream's) last event. */
export interface Positioned {
  readonly position: string | undefined;
}

export interface Messaging {
  send(caller: Caller, input: SendInput): Promise<SendResult>;
  edit(caller: Caller, input: MessageRef & { readonly body: string }): Promise<{ position: string }>;
  delete(caller: Caller, input: MessageRef): Promise<{ position: string }>;
  markRead(
    caller: Caller,
    input: MessageRef & { readonly private?: boolean | undefined },
  ): Promise<Positioned>;
}

type CommandBody = ConversationCommand extends infer C
  ? C extends ConversationCommand
    ? Omit<C, 'conversationId' | 'actorId' | 'now'>
    : never
  : never;

export function createMessaging(deps: MessagingDeps): Messaging {
  /**
   * One command on a conversation as `caller`. The command is built from the state the attempt
   * loaded, so every lookup it depends on (blocks, the recipient's policy) is made again on
   * every retry, never carried over from a decision on older state.
   */
  async function run(
    caller: Caller,
    conversationId: string,
    build: (state: ConversationState) => CommandBody | Promise<CommandBody>,
  ) {
    const now = deps.now();
    return conversations.handle(
      deps,
      conversationId,
      async (state: ConversationState) =>
        ({
          ...(await build(state)),
          conversationId,
          actorId: caller.userId,
          now: now.toISOString(),
        }) as ConversationCommand,
      { metadata: caller.metadata(now) },
    );
  }

  /** For a group: the members who block `userId`, who then receive none of their messages. */
  async function blockingMembers(state: ConversationState, userId: string) {
    if (state.status !== 'active' || state.kind !== 'group') return undefined;
    return whoBlocks(deps, userId, state.members);
  }

  /** For a direct conversation: whether its two members block each other. */
  async function blockedIn(state: ConversationState, userId: string): Promise<boolean> {
    if (state.status !== 'active' || state.kind !== 'direct') return false;
    const other = [...state.members].find((member) => member !== userId);
    return other !== undefined && (await blockedBetween(deps, userId, other));
  }

  return {
    async send(caller, input) {
      const messageId = randomUUID();
      deps.sendRate.admit(caller.userId, messageId);
      if ((input.to === undefined) === (input.conversationId === undefined)) {
        throw refuse('to_or_conversation', 'name either a recipient (to) or a conversationId');
      }
      const recipient = input.to === undefined ? undefined : await resolveUser(deps, input.to);
      const conversationId =
        recipient === undefined
          ? input.conversationId!.toLowerCase()
          : directConversationId(caller.userId, recipient.userId);
      const { clientMessageId } = input;
      const outcome = await run(caller, conversationId, async (state): Promise<CommandBody> => {
        const send: Omit<SendMessage, 'conversationId' | 'actorId' | 'now'> = {
          type: 'SendMessage',
          messageId,
          body: input.body,
          ...(clientMessageId !== undefined ? { clientMessageId } : {}),
        };
        if (state.status === 'none' && recipient !== undefined) {
          // The first message starts the conversation: the recipient's policy decides, as it is now.
          const current = await resolveUser(deps, { userId: recipient.userId });
          return {
            ...send,
            directRecipientId: recipient.userId,
            blocked: await blockedBetween(deps, caller.userId, recipient.userId),
            recipientAccepts: await acceptsMessagesFrom(deps, current, caller.userId),
          };
        }
        return {
          ...send,
          blocked: await blockedIn(state, caller.userId),
          blockedBy: await blockingMembers(state, caller.userId),
        };
      });
      const sent = await sentMessage(deps, outcome, { senderId: caller.userId, messageId, clientMessageId });
      return { messageId: sent.messageId, conversationId, position: sent.position.toString() };
    },

    async edit(caller, input) {
      const outcome = await run(caller, input.conversationId.toLowerCase(), async (state) => ({
        type: 'EditMessage',
        messageId: input.messageId.toLowerCase(),
        body: input.body,
        blockedBy: await blockingMembers(state, caller.userId),
      }));
      return { position: String(outcome.position) };
    },

    async delete(caller, input) {
      const outcome = await run(caller, input.conversationId.toLowerCase(), async (state) => ({
        type: 'DeleteMessage',
        messageId: input.messageId.toLowerCase(),
        blockedBy: await blockingMembers(state, caller.userId),
      }));
      return { position: String(outcome.position) };
    },

    async markRead(caller, input) {
      const outcome = await run(caller, input.conversationId.toLowerCase(), () => ({
        type: 'MarkRead',
        messageId: input.messageId.toLowerCase(),
        ...(input.private ? { private: true } : {}),
      }));
      return { position: outcome.position?.toString() };
    },
  };
}
