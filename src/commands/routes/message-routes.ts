import { Type } from '@sinclair/typebox';
import { randomUUID } from 'node:crypto';
import { directConversationId } from '../../domain/conversation/conversation-id.js';
import { CALLER_COMMAND, problems } from '../../http-docs/openapi.js';
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
          summary: 'Send a direct message',
          operationId: 'sendDirectMessage',
          description:
            'Sends to a user; the direct conversation is created by the first message. ' +
            'Re-sending with the same `clientMessageId` returns the first result.',
          security: [{ bearer: [] }],
          body: Type.Object(
            {
              to: Type.String({ minLength: 1, maxLength: 64, description: 'username or user id' }),
              body: MessageBody,
              clientMessageId: Type.Optional(ClientMessageId),
            },
            {
              additionalProperties: false,
              examples: [
                { to: 'bob', body: 'hello', clientMessageId: 'c0a8e4f2-6d1b-4f7e-9a51-3b2f0d9c7e11' },
              ],
            },
          ),
          response: {
            201: Type.Object(SendResult.properties, {
              description: 'Sent (or the earlier send with this clientMessageId)',
            }),
            ...problems(...CALLER_COMMAND, 429, {
              400: 'Not valid, the body is empty after trimming, or the recipient is yourself',
              403: 'Blocked, or the recipient takes new conversations from contacts only',
              404: 'No such user',
              429: 'Too many messages (SEND_RATE_PER_MINUTE)',
            }),
          },
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
