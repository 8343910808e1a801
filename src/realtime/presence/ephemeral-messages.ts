import type { EphemeralFrame } from '../wire-format.js';

/**
 * Ephemeral messages: what realtime nodes tell each other over PostgreSQL NOTIFY (presence changes
 * and typing), each naming the users it is for. They are never stored and carry no log position.
 */

export const EPHEMERAL_CHANNEL = 'realtime_ephemeral';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay well below. */
export const MAX_PAYLOAD_BYTES = 7600;

export type EphemeralMessage =
  | {
      readonly kind: 'presence';
      readonly userId: string;
      readonly online: boolean;
      readonly to: readonly string[];
    }
  | {
      readonly kind: 'typing';
      readonly conversationId: string;
      readonly userId: string;
      readonly to: readonly string[];
    };

/**
 * The NOTIFY payloads for one message: the same message split by recipients so that each payload
 * stays under `maxBytes`. A recipient id that cannot fit even alone is left out.
 */
export function encodeEphemeral(message: EphemeralMessage, maxBytes = MAX_PAYLOAD_BYTES): string[] {
  const payloads: string[] = [];
  const baseBytes = Buffer.byteLength(JSON.stringify({ ...message, to: [] }));
  let chunk: string[] = [];
  let bytes = baseBytes;
  for (const recipient of message.to) {
    const idBytes = Buffer.byteLength(JSON.stringify(recipient));
    if (baseBytes + idBytes > maxBytes) continue;
    // The quoted id, plus a comma when it is not the first of its chunk.
    if (chunk.length > 0 && bytes + idBytes + 1 > maxBytes) {
      payloads.push(JSON.stringify({ ...message, to: chunk }));
      chunk = [];
      bytes = baseBytes;
    }
    bytes += idBytes + (chunk.length > 0 ? 1 : 0);
    chunk.push(recipient);
  }
  if (chunk.length > 0) payloads.push(JSON.stringify({ ...message, to: chunk }));
  return payloads;
}

/** Parses a payload from the channel; anything malformed (another writer, another version) is undefined. */
export function decodeEphemeral(payload: string): EphemeralMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const { kind, userId, to } = record;
  if (typeof userId !== 'string' || !isStringArray(to)) return undefined;
  if (kind === 'presence' && typeof record.online === 'boolean') {
    return { kind, userId, online: record.online, to };
  }
  if (kind === 'typing' && typeof record.conversationId === 'string') {
    return { kind, conversationId: record.conversationId, userId, to };
  }
  return undefined;
}

/** The frame a client receives for the message; no position, since nothing was logged. */
export function ephemeralFrame(message: EphemeralMessage): EphemeralFrame {
  if (message.kind === 'presence') {
    const presence = { userId: message.userId, online: message.online };
    return { text: JSON.stringify({ type: 'presence', data: presence }), presence };
  }
  const data = { conversationId: message.conversationId, userId: message.userId };
  return { text: JSON.stringify({ type: 'typing', data }) };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
}
