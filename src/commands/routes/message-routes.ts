import { Type } from '@sinclair/typebox';
import { randomUUID } from 'node:crypto';
import { directConversationId } from '../../domain/conversation/conversation-id.js';
import {
  conversationDecider,
  conversationStreamName,
  messageIdForClientId,
} from '../../domain/conversation/conversation.js';
import type { EventStore } from '../../eventstore/port.js';
import { caller } from '../../platform/authenticate.js';
import type { HttpApp } from '../../platform/http-app.js';
import { handleCommand, type CommandOutcome } from '../handle-command.js';
import { resolveUser } from '../resolve-user.js';
import { ClientMessageId, MessageBody, Position } from './schemas.js';

export interface MessageRoutesDeps {
  readonly store: EventStore;
  readonly now: () => Date;
}

const SendResult = Type.Object({
  messageId: Type.String(),
  conversationId: Type.String(),
  position: Position,
});

/** The message a send produced, or for an idempotent re-send the one the first send produced. */
function sentMessage(
  outcome: CommandOutcome<Parameters<typeof conversationDecider.evolve>[0], { type: string; data: object }>,
  senderId: string,
  messageId: string,
  clientMessageId: string | undefined,
): { messageId: string; position: bigint } {
  if (outcome.appended.length > 0 && outcome.position !== undefined) {
    return { messageId, position: outcome.position };
  }
  const original = clientMessageId && messageIdForClientId(outcome.state, senderId, clientMessageId);
  const recorded = original
    ? outcome.history.find((event) => event.type === 'MessageSent' && event.data.messageId === original)
    : undefined;
  if (!original || !recorded) throw new Error('a send appended nothing and matched no earlier message');
  return { messageId: original, position: recorded.position };
}

export function messageRoutes(deps: MessageRoutesDeps) {
  return async (app: HttpApp) => {
    app.post(
      '/v1/messages',
      {
        schema: {
          tags: ['messages'],
          security: [{ bearer: [] }],
          body: Type.Object(
            {
              to: Type.String({ minLength: 1, maxLength: 64, description: 'username or user id' }),
              body: MessageBody,
              clientMessageId: Type.Optional(ClientMessageId),
            },
            { additionalProperties: false },
          ),
          response: { 201: SendResult },
        },
      },
      async (request, reply) => {
        const me = caller(request);
        const recipient = await resolveUser(deps.store, request.body.to);
        const conversationId = directConversationId(me.userId, recipient.userId);
        const messageId = randomUUID();
        const { clientMessageId } = request.body;
        const outcome = await handleCommand(
          deps.store,
          conversationStreamName(conversationId),
          conversationDecider,
          {
            type: 'SendMessage',
            conversationId,
            senderId: me.userId,
            messageId,
            body: request.body.body,
            ...(clientMessageId !== undefined ? { clientMessageId } : {}),
            directRecipientId: recipient.userId,
            now: deps.now().toISOString(),
          },
          { metadata: { correlationId: request.id, userId: me.userId } },
        );
        const sent = sentMessage(outcome, me.userId, messageId, clientMessageId);
        return reply
          .status(201)
          .send({ messageId: sent.messageId, conversationId, position: sent.position.toString() });
      },
    );
  };
}
