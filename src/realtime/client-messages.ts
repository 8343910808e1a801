import type { Connection } from './connection.js';
import { PONG_TEXT } from './wire-format.js';

type ClientFrameHandler = (connection: Connection, frame: Readonly<Record<string, unknown>>) => void;

/**
 * What the server does with each client frame type. Typing and presence go here when they come;
 * a type not listed is ignored, so older servers tolerate newer clients.
 */
const HANDLERS: Readonly<Record<string, ClientFrameHandler>> = {
  ping: (connection) => connection.send(PONG_TEXT),
};

/** Handles one client message; binary, unparsable or unknown messages are ignored. */
export function handleClientMessage(connection: Connection, message: ArrayBuffer, isBinary: boolean): void {
  if (isBinary) return;
  const frame = parseFrame(Buffer.from(message).toString('utf8'));
  if (!frame) return;
  const type = frame.type;
  if (typeof type !== 'string' || !Object.hasOwn(HANDLERS, type)) return;
  HANDLERS[type]?.(connection, frame);
}

function parseFrame(text: string): Readonly<Record<string, unknown>> | undefined {
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
