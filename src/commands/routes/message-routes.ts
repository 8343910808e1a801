import { Type } from '@sinclair/typebox';
import type { HttpApp } from '../../http/http-app.js';
import { httpCaller } from '../http-caller.js';
import type { Messaging } from '../messaging.js';
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
        const sent = await deps.messaging.send(httpCaller(request), request.body);
        return reply.status(201).send(sent);
      },
    );
  };
}
