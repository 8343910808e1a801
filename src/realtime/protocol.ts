import { FormatRegistry, Type, type Static, type TSchema } from '@sinclair/typebox';

/*
 * Every frame of the WebSocket protocol as a TypeBox schema: the server validates client frames
 * with these (command-frames.ts), and GET /asyncapi.json is generated from them (asyncapi.ts), so
 * the document cannot say something the server does not do.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (value) => UUID.test(value));

const Uuid = (description?: string) =>
  Type.String({ format: 'uuid', ...(description ? { description } : {}) });
const Position = Type.String({ pattern: '^[0-9]{1,20}$', description: 'global log position (decimal)' });
export const RequestId = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'chosen by the client; the answer (ack or error) carries it back',
});
/** The same bounds as the HTTP routes (the 1–4000 characters after trimming rule is the domain's). */
const MessageBody = Type.String({ minLength: 1, maxLength: 16_000 });
const ClientMessageId = Type.String({ minLength: 1, maxLength: 128 });
const strict = { additionalProperties: false } as const;

// Client → server.

export const PingFrame = Type.Object({ type: Type.Literal('ping') }, { description: 'answered with pong' });
export const TypingCommandFrame = Type.Object(
  { type: Type.Literal('typing'), conversationId: Uuid() },
  { description: 'tells the other members that the user is typing (rate limited, never answered)' },
);
export const SendFrame = Type.Object(
  {
    type: Type.Literal('send'),
    requestId: RequestId,
    conversationId: Type.Optional(Uuid('the conversation; or `to` for a direct message')),
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'username or user id' })),
    body: MessageBody,
    clientMessageId: Type.Optional(ClientMessageId),
  },
  { ...strict, description: 'as POST /v1/conversations/{id}/messages (or POST /v1/messages with `to`)' },
);
export const EditFrame = Type.Object(
  {
    type: Type.Literal('edit'),
    requestId: RequestId,
    conversationId: Uuid(),
    messageId: Uuid(),
    body: MessageBody,
  },
  { ...strict, description: 'as PATCH /v1/conversations/{id}/messages/{messageId}' },
);
export const DeleteFrame = Type.Object(
  { type: Type.Literal('delete'), requestId: RequestId, conversationId: Uuid(), messageId: Uuid() },
  { ...strict, description: 'as DELETE /v1/conversations/{id}/messages/{messageId}' },
);
export const ReadFrame = Type.Object(
  {
    type: Type.Literal('read'),
    requestId: RequestId,
    conversationId: Uuid(),
    messageId: Uuid(),
    private: Type.Optional(Type.Boolean({ description: 'true: only your own devices see the marker' })),
  },
  { ...strict, description: 'as POST /v1/conversations/{id}/read' },
);

export type SendFrame = Static<typeof SendFrame>;
export type EditFrame = Static<typeof EditFrame>;
export type DeleteFrame = Static<typeof DeleteFrame>;
export type ReadFrame = Static<typeof ReadFrame>;

/** The command frames, by type: each is answered exactly once, with `ack` or `error`. */
export const COMMAND_FRAMES = { send: SendFrame, edit: EditFrame, delete: DeleteFrame, read: ReadFrame };
export type CommandType = keyof typeof COMMAND_FRAMES;

export const CLIENT_FRAMES: Readonly<Record<string, TSchema>> = {
  ping: PingFrame,
  typing: TypingCommandFrame,
  ...COMMAND_FRAMES,
};

// Server → client.

const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
});

export const AckFrame = Type.Object(
  {
    type: Type.Literal('ack'),
    requestId: RequestId,
    data: Type.Union(
      [
        Type.Object({ messageId: Type.String(), conversationId: Type.String(), position: Position }),
        Type.Object({ position: Type.Optional(Position) }),
      ],
      {
        description:
          "the HTTP route's success body: send → { messageId, conversationId, position }, edit and delete → { position }, read → { position } (the X-Position of the 204)",
      },
    ),
  },
  {
    description:
      "a command succeeded; for send, edit, delete and read it comes after the command's own event frame",
  },
);
export const ErrorFrame = Type.Object(
  {
    type: Type.Literal('error'),
    requestId: RequestId,
    status: Type.Integer({ description: 'the HTTP status the route would answer' }),
    problem: Problem,
    retryAfter: Type.Optional(Type.Integer({ description: 'seconds, as the Retry-After of a 429 or 503' })),
  },
  { description: 'a command was refused or failed; nothing was written' },
);
export const PongFrame = Type.Object({ type: Type.Literal('pong') });
export const ResyncFrame = Type.Object(
  { type: Type.Literal('resync') },
  { description: 'the gap cannot be replayed: reload over HTTP; live frames follow' },
);
export const PresenceFrame = Type.Object({
  type: Type.Literal('presence'),
  data: Type.Object({ userId: Type.String(), online: Type.Boolean() }),
});
export const TypingFrame = Type.Object({
  type: Type.Literal('typing'),
  data: Type.Object({ conversationId: Type.String(), userId: Type.String() }),
});

/** A frame for one logged event: its type, its position in the log and its data. */
const EventFrame = <T extends string>(type: T, data: TSchema, description: string) =>
  Type.Object({ type: Type.Literal(type), position: Position, data }, { description });

const message = {
  conversationId: Type.String(),
  messageId: Type.String(),
  seq: Type.Integer(),
  senderId: Type.String(),
};
/** Absent in a replayed frame of a message deleted or edited since. */
const ReplayedBody = Type.Optional(Type.String());

export const EVENT_FRAMES = {
  'message.sent': EventFrame(
    'message.sent',
    Type.Object({
      ...message,
      body: ReplayedBody,
      clientMessageId: Type.Optional(Type.String()),
      sentAt: Type.String(),
    }),
    'a message was sent to a conversation of the user',
  ),
  'message.edited': EventFrame(
    'message.edited',
    Type.Object({ ...message, body: ReplayedBody, editedAt: Type.String() }),
    'a message was edited',
  ),
  'message.deleted': EventFrame(
    'message.deleted',
    Type.Object({ ...message, deletedAt: Type.String() }),
    'a message was deleted (its body is gone everywhere)',
  ),
  'conversation.created': EventFrame(
    'conversation.created',
    Type.Object({
      conversationId: Type.String(),
      kind: Type.Union([Type.Literal('direct'), Type.Literal('group')]),
      memberIds: Type.Array(Type.String()),
      title: Type.Optional(Type.String()),
      creatorId: Type.Optional(Type.String()),
    }),
    'a direct conversation started or a group was created with the user in it',
  ),
  'member.added': EventFrame(
    'member.added',
    Type.Object({ conversationId: Type.String(), userId: Type.String(), addedBy: Type.String() }),
    'someone joined a group of the user',
  ),
  'member.removed': EventFrame(
    'member.removed',
    Type.Object({ conversationId: Type.String(), userId: Type.String(), removedBy: Type.String() }),
    'someone left or was removed from a group of the user',
  ),
  'contact.added': EventFrame(
    'contact.added',
    Type.Object({ ownerId: Type.String(), contactId: Type.String(), addedAt: Type.String() }),
    'the user added a contact',
  ),
  'contact.removed': EventFrame(
    'contact.removed',
    Type.Object({ ownerId: Type.String(), contactId: Type.String(), removedAt: Type.String() }),
    'the user removed a contact',
  ),
  'conversation.read': EventFrame(
    'conversation.read',
    Type.Object({
      conversationId: Type.String(),
      userId: Type.String({ description: 'the reader' }),
      messageId: Type.String(),
      readUpToSeq: Type.Integer(),
      unreadCount: Type.Integer({ description: "the reader's unread count after the marker" }),
      private: Type.Optional(Type.Literal(true)),
      readAt: Type.String(),
    }),
    "a read marker: the user's own (every device), or another member's unless it was private",
  ),
};

export const SERVER_FRAMES: Readonly<Record<string, TSchema>> = {
  ...EVENT_FRAMES,
  ack: AckFrame,
  error: ErrorFrame,
  resync: ResyncFrame,
  pong: PongFrame,
  presence: PresenceFrame,
  typing: TypingFrame,
};
