import type { TSchema } from '@sinclair/typebox';
import type { HttpApp } from '../http/http-app.js';
import { CLIENT_FRAMES, COMMAND_FRAMES, SERVER_FRAMES } from './protocol.js';
import { REALTIME_PATH } from './server.js';

/*
 * The WebSocket protocol as an AsyncAPI 3.0 document, generated from the TypeBox schemas the
 * server validates client frames with (protocol.ts): one message per frame type, client and
 * server, each with its schema. Operations are the server's view: it receives client frames and
 * sends server frames; each command is received with a reply (`ack` or `error`).
 */

/** A TypeBox schema as plain JSON Schema (TypeBox's own markers are symbols, which JSON drops). */
const plain = (schema: TSchema): unknown => JSON.parse(JSON.stringify(schema));
const clientKey = (type: string) => `client.${type}`;
const serverKey = (type: string) => `server.${type}`;
const ref = (key: string) => ({ $ref: `#/channels/realtime/messages/${key}` });

export function asyncApiDocument(options: { host?: string } = {}) {
  const messages: Record<string, unknown> = {};
  for (const [type, schema] of Object.entries(CLIENT_FRAMES)) {
    messages[clientKey(type)] = {
      name: type,
      title: `${type} (client → server)`,
      ...(schema.description ? { summary: schema.description } : {}),
      payload: plain(schema),
    };
  }
  for (const [type, schema] of Object.entries(SERVER_FRAMES)) {
    messages[serverKey(type)] = {
      name: type,
      title: `${type} (server → client)`,
      ...(schema.description ? { summary: schema.description } : {}),
      payload: plain(schema),
    };
  }
  const channelMessages = Object.fromEntries(
    Object.keys(messages).map((key) => [key, { $ref: `#/components/messages/${key}` }]),
  );
  const channel = { $ref: '#/channels/realtime' };
  const reply = { channel, messages: [ref(serverKey('ack')), ref(serverKey('error'))] };
  const commands = Object.fromEntries(
    Object.keys(COMMAND_FRAMES).map((type) => [
      `command.${type}`,
      {
        action: 'receive',
        channel,
        summary: `the ${type} command; answered exactly once with ack or error (same requestId)`,
        messages: [ref(clientKey(type))],
        reply,
      },
    ]),
  );
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Chat backend realtime',
      version: '1',
      description:
        'Frames of the realtime WebSocket. Connect with access_token (or Authorization: Bearer) and, to resume, since=<last position>.',
    },
    defaultContentType: 'application/json',
    servers: {
      realtime: {
        host: options.host ?? 'localhost:3001',
        protocol: 'ws',
        security: [
          { $ref: '#/components/securitySchemes/accessToken' },
          { $ref: '#/components/securitySchemes/bearer' },
        ],
      },
    },
    channels: {
      realtime: {
        address: REALTIME_PATH,
        messages: channelMessages,
        bindings: {
          ws: {
            query: {
              type: 'object',
              properties: {
                access_token: { type: 'string', description: 'the access token (JWT)' },
                since: {
                  type: 'string',
                  pattern: '^[0-9]+$',
                  description: 'the last position seen: resume after it',
                },
              },
            },
          },
        },
      },
    },
    operations: {
      'server.frames': {
        action: 'send',
        channel,
        summary: 'what the server sends: event frames in log order, answers, resync, pong, presence, typing',
        messages: Object.keys(SERVER_FRAMES).map((type) => ref(serverKey(type))),
      },
      'client.ping': { action: 'receive', channel, messages: [ref(clientKey('ping'))] },
      'client.typing': { action: 'receive', channel, messages: [ref(clientKey('typing'))] },
      ...commands,
    },
    components: {
      messages,
      securitySchemes: {
        accessToken: { type: 'httpApiKey', name: 'access_token', in: 'query' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
  };
}

/** GET /asyncapi.json on the HTTP port. */
export function asyncApiRoute() {
  const document = asyncApiDocument();
  return async (app: HttpApp) => {
    app.get('/asyncapi.json', { schema: { hide: true } }, async () => document);
  };
}
