import { Type } from '@sinclair/typebox';
import { CALLER_COMMAND, problems } from '../../http-docs/openapi.js';
import type { HttpApp } from '../../http/http-app.js';
import type { Messaging } from '../messaging.js';
import { httpCaller } from './caller.js';
import { ClientMessageId, MessageBody, SendResult } from './schemas.js';

export interface MessageRoutesDeps {
  readonly messaging: Messaging;
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
        const sent = await deps.messaging.send(httpCaller(request), request.body);
        return reply.status(201).send(sent);
      },
    );
  };
}
