import { Type } from '@sinclair/typebox';
import { randomUUID } from 'node:crypto';
import { directConversationId } from '../../domain/conversation/conversation-id.js';
import { caller } from '../../http/authenticate.js';
import type { HttpApp } from '../../http/http-app.js';
import { acceptsMessagesFrom, blockedBetween } from '../who-may-message.js';
import type { CommandContext } from '../command-handler.js';
import { conversations } from '../aggregates.js';
import { requestMetadata } from '../metadata.js';
import { resolveUser } from '../resolve-user.js';
import { sentMessage } from '../sent-message.js';
import type { SendRate } from '../send-rate.js';
import { ClientMessageId, MessageBody, SendResult } from './schemas.js';

export interface MessageRoutesDeps extends CommandContext {
  readonly now: () => Date;
  readonly sendRate: SendRate;
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
        const messageId = randomUUID();
        deps.sendRate.admit(me.userId, messageId);
        const recipient = await resolveUser(deps, request.body.to);
        const conversationId = directConversationId(me.userId, recipient.userId);
        const { clientMessageId } = request.body;
        const now = deps.now();
        const outcome = await conversations.handle(
          deps,
          conversationId,
          {
            type: 'SendMessage',
            conversationId,
            actorId: me.userId,
            messageId,
            body: request.body.body,
            ...(clientMessageId !== undefined ? { clientMessageId } : {}),
            directRecipientId: recipient.userId,
            blocked: await blockedBetween(deps, me.userId, recipient.userId),
            recipientAccepts: await acceptsMessagesFrom(deps, recipient, me.userId),
            now: now.toISOString(),
          },
          { metadata: requestMetadata(request, now) },
        );
        const sent = await sentMessage(deps, outcome, { senderId: me.userId, messageId, clientMessageId });
        return reply
          .status(201)
          .send({ messageId: sent.messageId, conversationId, position: sent.position.toString() });
      },
    );
  };
}
