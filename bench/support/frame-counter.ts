import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/*
 * A receive-only WebSocket client for the fan-out benchmark. At 100,000 frames a second the `ws`
 * client spends more CPU decoding than the server spends sending, on the same two cores, so the
 * benchmark would measure its own client. Server frames are unmasked and simple (RFC 6455 §5.2),
 * so this reads them straight off the TCP stream and hands each text payload over as bytes.
 * It answers pings; it never sends data.
 */

const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

function maskedControlFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}

export interface FrameCounter {
  close(): void;
}

/** Connects to `path` on 127.0.0.1:`port` and calls `onText` with each text frame's payload. */
export function countFrames(
  port: number,
  path: string,
  onText: (payload: Buffer) => void,
): Promise<FrameCounter> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let buffered: Buffer = Buffer.alloc(0);
    let upgraded = false;
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      if (!upgraded) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = buffered.toString('latin1', 0, buffered.indexOf('\r\n'));
        if (!status.includes(' 101 ')) {
          reject(new Error(`upgrade refused: ${status}`));
          socket.destroy();
          return;
        }
        upgraded = true;
        buffered = buffered.subarray(end + 4);
        resolve({ close: () => socket.destroy() });
      }
      let offset = 0;
      for (;;) {
        if (buffered.length - offset < 2) break;
        const opcode = buffered[offset]! & 0x0f;
        let length = buffered[offset + 1]! & 0x7f;
        let header = 2;
        if (length === 126) {
          if (buffered.length - offset < 4) break;
          length = buffered.readUInt16BE(offset + 2);
          header = 4;
        } else if (length === 127) {
          if (buffered.length - offset < 10) break;
          length = Number(buffered.readBigUInt64BE(offset + 2));
          header = 10;
        }
        if (buffered.length - offset < header + length) break;
        const payload = buffered.subarray(offset + header, offset + header + length);
        if (opcode === OPCODE_TEXT) onText(payload);
        else if (opcode === OPCODE_PING) socket.write(maskedControlFrame(OPCODE_PONG, Buffer.from(payload)));
        else if (opcode === OPCODE_CLOSE) socket.end();
        offset += header + length;
      }
      buffered = offset === buffered.length ? Buffer.alloc(0) : Buffer.from(buffered.subarray(offset));
    });
  });
}
