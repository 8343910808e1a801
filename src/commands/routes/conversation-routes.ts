// Long because each route declares its full TypeBox schemas and documented problems; the logic is in the use cases.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { ConversationCommand } from '../../domain/conversation/commands.js';
import { MAX_GROUP_MEMBERS, type ConversationState } from '../../domain/conversation/state.js';
import { CALLER_COMMAND, NoContent, problems } from '../../http-docs/openapi.js';
import { caller } from '../../http/authenticate.js';
import type { HttpApp } from '../../http/http-app.js';
import { whoBlocks } from '../who-may-message.js';
import { conversations } from '../aggregates.js';
import { callerCommand, noContent, type CallerCommandDeps, httpCaller } from './caller.js';
import { resolveUser } from '../resolve-user.js';
import type { Messaging } from '../messaging.js';
import {
  ClientMessageId,
  ConversationId,
  MessageBody,
  PositionResult,
  SendResult,
  UserId,
} from './schemas.js';

export interface ConversationRoutesDeps extends CallerCommandDeps {
  /** The message use cases (send, edit, delete, read), shared with the WebSocket commands. */
  readonly messaging: Messaging;
}

/** A conversation command without what every request supplies the same way. */
type CommandBody = ConversationCommand extends infer C
  ? C extends ConversationCommand
    ? Omit<C, 'conversationId' | 'actorId' | 'now'>
    : never
  : never;

const ConversationParams = Type.Object({ conversationId: ConversationId });
const MessageParams = Type.Object({
  conversationId: ConversationId,
  messageId: Type.String({ format: 'uuid' }),
});
const MemberParams = Type.Object({ conversationId: ConversationId, userId: UserId });
const secured = { tags: ['conversations'], security: [{ bearer: [] }] };
const NOT_MEMBER = { 403: 'You are not a member of this conversation', 404: 'No such conversation' };

export function conversationRoutes(deps: ConversationRoutesDeps) {
  /**
   * Runs one command on a conversation as the caller; a command that depends on the conversation
   * (as a send depends on its members' blocks) is built from the state the command path loads.
   */
  function run(
    request: FastifyRequest,
    conversationId: string,
    command: CommandBody | ((state: ConversationState) => Promise<CommandBody>),
  ) {
    const id = conversationId.toLowerCase();
    const { actorId, now, metadata } = callerCommand(request, deps.now);
    return conversations.handle(
      deps,
      id,
      async (state) => ({
        ...(typeof command === 'function' ? await command(state) : command),
        conversationId: id,
        actorId,
        now,
      }),
      { metadata },
    );
  }

  return async (app: HttpApp) => {
    app.post(
      '/v1/conversations',
      {
        schema: {
          ...secured,
          summary: 'Create a group',
          operationId: 'createGroup',
          body: Type.Object(
            {
              title: Type.String({ minLength: 1, maxLength: 200 }),
              memberIds: Type.Array(UserId, { maxItems: MAX_GROUP_MEMBERS }),
            },
            {
              additionalProperties: false,
              examples: [{ title: 'Climbing', memberIds: ['5b0f6c8e-2d0a-4c47-9a1e-0d3f1b2c4e5a'] }],
            },
          ),
          response: {
            201: Type.Object(
              { conversationId: Type.String(), position: Type.String() },
              { description: 'Created' },
            ),
            ...problems(...CALLER_COMMAND, {
              400: 'Not valid, or too many members',
              403: 'Someone you want in the group blocks you',
              404: 'Unknown member',
            }),
          },
        },
      },
      async (request, reply) => {
        const memberIds = [...new Set(request.body.memberIds.map((id) => id.toLowerCase()))];
        await Promise.all(memberIds.map((userId) => resolveUser(deps, { userId })));
        const conversationId = randomUUID();
        const outcome = await run(request, conversationId, {
          type: 'CreateGroup',
          title: request.body.title,
          memberIds,
          blockedBy: await whoBlocks(deps, caller(request).userId, memberIds),
        });
        return reply.status(201).send({ conversationId, position: String(outcome.position) });
      },
    );

    app.post(
      '/v1/conversations/:conversationId/members',
      {
        schema: {
          ...secured,
          summary: 'Add a member to a group',
          operationId: 'addMember',
          params: ConversationParams,
          body: Type.Object({ userId: UserId }, { additionalProperties: false }),
          response: {
            204: NoContent('Added'),
            ...problems(...CALLER_COMMAND, {
              400: 'Not valid, not a group, or the group is full',
              403: 'You are not a member, or the user blocks you',
              404: 'No such conversation or user',
            }),
          },
        },
      },
      async (request, reply) => {
        const user = await resolveUser(deps, { userId: request.body.userId.toLowerCase() });
        const outcome = await run(request, request.params.conversationId, {
          type: 'AddMember',
          userId: user.userId,
          blockedBy: await whoBlocks(deps, caller(request).userId, [user.userId]),
        });
        return noContent(reply, outcome);
      },
    );

    app.delete(
      '/v1/conversations/:conversationId/members/:userId',
      {
        schema: {
          ...secured,
          summary: 'Remove a member from a group',
          operationId: 'removeMember',
          description: 'A member may remove themself; only the creator may remove others.',
          params: MemberParams,
          response: {
            204: NoContent('Removed'),
            ...problems(...CALLER_COMMAND, {
              400: 'Not valid, or not a group',
              403: 'You are not a member, or not the creator',
              404: 'No such conversation, or that user is not a member',
            }),
          },
        },
      },
      async (request, reply) => {
        const outcome = await run(request, request.params.conversationId, {
          type: 'RemoveMember',
          userId: request.params.userId.toLowerCase(),
        });
        return noContent(reply, outcome);
      },
    );

    app.post(
      '/v1/conversations/:conversationId/messages',
      {
        schema: {
          ...secured,
          summary: 'Send a message to a conversation',
          operationId: 'sendMessage',
          params: ConversationParams,
          body: Type.Object(
            { body: MessageBody, clientMessageId: Type.Optional(ClientMessageId) },
            { additionalProperties: false, examples: [{ body: 'hello', clientMessageId: 'c0a8e4f2-1' }] },
          ),
          response: {
            201: Type.Object(SendResult.properties, {
              description: 'Sent (or the earlier send with this clientMessageId)',
            }),
            ...problems(...CALLER_COMMAND, 429, {
              ...NOT_MEMBER,
              400: 'Not valid, or the body is empty after trimming',
              403: 'You are not a member, or blocked',
              429: 'Too many messages (SEND_RATE_PER_MINUTE)',
            }),
          },
        },
      },
      async (request, reply) => {
        const sent = await deps.messaging.send(httpCaller(request), {
          conversationId: request.params.conversationId,
          ...request.body,
        });
        return reply.status(201).send(sent);
      },
    );

    app.patch(
      '/v1/conversations/:conversationId/messages/:messageId',
      {
        schema: {
          ...secured,
          summary: 'Edit a message',
          operationId: 'editMessage',
          params: MessageParams,
          body: Type.Object({ body: MessageBody }, { additionalProperties: false }),
          response: {
            200: Type.Object(PositionResult.properties, { description: 'Edited' }),
            ...problems(...CALLER_COMMAND, {
              ...NOT_MEMBER,
              403: 'You are not a member, or not the sender',
              404: 'No such conversation or message',
            }),
          },
        },
      },
      async (request) => deps.messaging.edit(httpCaller(request), { ...request.params, ...request.body }),
    );

    app.delete(
      '/v1/conversations/:conversationId/messages/:messageId',
      {
        schema: {
          ...secured,
          summary: 'Delete a message',
          operationId: 'deleteMessage',
          description: 'Its body is erased from the log and every read model.',
          params: MessageParams,
          response: {
            200: Type.Object(PositionResult.properties, { description: 'Deleted' }),
            ...problems(...CALLER_COMMAND, {
              ...NOT_MEMBER,
              403: 'You are not a member, or not the sender',
              404: 'No such conversation or message',
            }),
          },
        },
      },
      async (request) => deps.messaging.delete(httpCaller(request), request.params),
    );

    app.post(
      '/v1/conversations/:conversationId/read',
      {
        schema: {
          ...secured,
          summary: 'Mark read up to a message',
          operationId: 'markRead',
          params: ConversationParams,
          body: Type.Object(
            {
              messageId: Type.String({ format: 'uuid' }),
              private: Type.Optional(
                Type.Boolean({ description: 'true: only your own devices see the marker' }),
              ),
            },
            { additionalProperties: false },
          ),
          response: {
            204: NoContent('Marked'),
            ...problems(...CALLER_COMMAND, { ...NOT_MEMBER, 404: 'No such conversation or message' }),
          },
        },
      },
      async (request, reply) => {
        const read = await deps.messaging.markRead(httpCaller(request), {
          conversationId: request.params.conversationId,
          ...request.body,
        });
        if (read.position !== undefined) void reply.header('x-position', read.position);
        return reply.status(204).send();
      },
    );
  };
}
