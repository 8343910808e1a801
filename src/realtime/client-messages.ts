import type { Connection } from './connection.js';
import type { CommandType } from './protocol.js';
import { PONG_TEXT } from './wire-format.js';

type ClientFrame = Readonly<Record<string, unknown>>;
type ClientFrameHandler = (connection: Connection, frame: ClientFrame) => void;

export interface ClientMessageDeps {
  /** `{ type: "typing", conversationId }`; the value is unchecked. */
  readonly onTyping: (connection: Connection, conversationId: unknown) => void;
  /** The command frames (`send`, `edit`, `delete`, `read`), each answered with `ack` or `error`. */
  readonly onCommand: (connection: Connection, type: CommandType, frame: ClientFrame) => void;
}

/**
 * What the server does with each client frame type; a type not listed is ignored, so older
 * servers tolerate newer clients. Returns the handler for one raw WebSocket message: binary,
 * unparsable or unknown messages are ignored without an answer (a command frame with a
 * `requestId` is answered, even when malformed).
 */
export function createClientMessageHandler(
  deps: ClientMessageDeps,
): (connection: Connection, message: ArrayBuffer, isBinary: boolean) => void {
  const handlers: Readonly<Record<string, ClientFrameHandler>> = {
    ping: (connection) => connection.send(PONG_TEXT),
    typing: (connection, frame) => deps.onTyping(connection, frame.conversationId),
    send: (connection, frame) => deps.onCommand(connection, 'send', frame),
    edit: (connection, frame) => deps.onCommand(connection, 'edit', frame),
    delete: (connection, frame) => deps.onCommand(connection, 'delete', frame),
    read: (connection, frame) => deps.onCommand(connection, 'read', frame),
  };
  return (connection, message, isBinary) => {
    if (isBinary) return;
    const frame = parseFrame(Buffer.from(message).toString('utf8'));
    if (!frame) return;
    const type = frame.type;
    if (typeof type !== 'string' || !Object.hasOwn(handlers, type)) return;
    handlers[type]?.(connection, frame);
  };
}

function parseFrame(text: string): ClientFrame | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}
