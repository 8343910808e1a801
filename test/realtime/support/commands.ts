import { randomUUID } from 'node:crypto';
import type { ServerFrame, TestClient } from '../../support/ws-client.js';

export interface Answer extends ServerFrame {
  readonly requestId: string;
  readonly status?: number;
  readonly problem?: { type: string; title: string; status: number; detail: string };
}

/** Sends a command frame with a fresh requestId and resolves with its answer (`ack` or `error`). */
export async function command(client: TestClient, frame: Record<string, unknown>): Promise<Answer> {
  const requestId = randomUUID();
  client.send({ ...frame, requestId });
  return (await client.next(
    (answer) => (answer as Answer).requestId === requestId,
    `the answer to ${String(frame.type)}`,
  )) as Answer;
}

/** The answers to a request id received so far (exactly one is expected). */
export const answersTo = (client: TestClient, requestId: string): ServerFrame[] =>
  client.frames.filter((frame) => (frame as Answer).requestId === requestId);
