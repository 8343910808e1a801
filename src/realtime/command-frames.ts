import { TypeCompiler } from '@sinclair/typebox/compiler';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Caller, Messaging } from '../commands/messaging.js';
import { mapError, notReady, problem, tooManyRequests, type Problem } from '../http/problems.js';
import { findUnstorableText } from '../platform/text.js';
import type { Connection } from './connection.js';
import type { PendingAcks } from './delivery/pending-acks.js';
import { COMMAND_FRAMES, type CommandType } from './protocol.js';

/** Commands one connection may have under way (until answered); more are refused with 429. */
export const MAX_COMMANDS_IN_FLIGHT = 64;

export interface CommandFrameDeps {
  /** The use cases the HTTP routes call too; undefined on a node that takes no commands. */
  readonly messaging: Messaging | undefined;
  readonly acks: PendingAcks;
  readonly logger: Logger;
  readonly track: (work: Promise<void>) => void;
}

const checks = {
  send: TypeCompiler.Compile(COMMAND_FRAMES.send),
  edit: TypeCompiler.Compile(COMMAND_FRAMES.edit),
  delete: TypeCompiler.Compile(COMMAND_FRAMES.delete),
  read: TypeCompiler.Compile(COMMAND_FRAMES.read),
};

export const isCommandType = (type: string): type is CommandType => Object.hasOwn(COMMAND_FRAMES, type);

/**
 * Runs the command frames (`send`, `edit`, `delete`, `read`) through the same use cases as the
 * HTTP routes and answers each exactly once: `ack` with the route's success body, or `error`
 * with the route's status and problem document. A frame without a string `requestId` cannot be
 * answered and is ignored.
 */
export function createCommandFrameHandler(
  deps: CommandFrameDeps,
): (connection: Connection, type: CommandType, frame: Readonly<Record<string, unknown>>) => void {
  const inFlight = new WeakMap<Connection, number>();

  function answerError(connection: Connection, requestId: string, error: unknown): void {
    const mapped = mapError(error);
    if (mapped.unexpected) {
      deps.logger.error({ err: error, connectionId: connection.id }, 'realtime command failed');
    }
    const retryAfter = mapped.headers['retry-after'];
    connection.send(errorText(requestId, mapped.problem, retryAfter));
  }

  async function run(connection: Connection, type: CommandType, frame: unknown): Promise<unknown> {
    const messaging = deps.messaging;
    if (!messaging) throw notReady('this realtime node takes no commands; use the HTTP routes', 5);
    const caller = socketCaller(connection);
    if (type === 'send' && checks.send.Check(frame)) {
      const { requestId: _requestId, type: _type, ...input } = frame;
      return messaging.send(caller, input);
    }
    if (type === 'edit' && checks.edit.Check(frame)) return messaging.edit(caller, frame);
    if (type === 'delete' && checks.delete.Check(frame)) return messaging.delete(caller, frame);
    if (type === 'read' && checks.read.Check(frame)) return messaging.markRead(caller, frame);
    throw new Error(`unchecked ${type} frame`);
  }

  return (connection, type, frame) => {
    const requestId = frame.requestId;
    if (typeof requestId !== 'string' || requestId.length === 0) return;
    const invalid = validationErrors(type, frame);
    if (invalid) {
      connection.send(errorText(requestId, problem('validation', 'the command is not valid', invalid)));
      return;
    }
    const running = inFlight.get(connection) ?? 0;
    if (running >= MAX_COMMANDS_IN_FLIGHT) {
      answerError(connection, requestId, tooManyRequests('too many commands under way on this socket', 1));
      return;
    }
    inFlight.set(connection, running + 1);
    const done = () => inFlight.set(connection, (inFlight.get(connection) ?? 1) - 1);
    deps.track(
      run(connection, type, frame).then(
        (data) => {
          const position = (data as { position?: string }).position;
          const text = JSON.stringify({ type: 'ack', requestId, data });
          deps.acks.send(connection, position === undefined ? undefined : BigInt(position), text, done);
        },
        (error: unknown) => {
          done();
          answerError(connection, requestId, error);
        },
      ),
    );
  };
}

/** What is wrong with a command frame, as the HTTP routes report a body that fails its schema. */
function validationErrors(type: CommandType, frame: unknown): Problem['errors'] | undefined {
  const errors = [...checks[type].Errors(frame)].slice(0, 10).map((error) => ({
    path: error.path || '/',
    message: error.message,
  }));
  if (errors.length > 0) return errors;
  const unstorable = findUnstorableText(frame);
  if (unstorable !== undefined) {
    return [{ path: unstorable, message: 'must not hold NUL or an unpaired surrogate' }];
  }
  return undefined;
}

function errorText(requestId: string, problemDocument: Problem, retryAfter?: string): string {
  return JSON.stringify({
    type: 'error',
    requestId,
    status: problemDocument.status,
    problem: problemDocument,
    ...(retryAfter !== undefined ? { retryAfter: Number(retryAfter) } : {}),
  });
}

/** The connection's user as the use cases take it; each command is its own correlation. */
function socketCaller(connection: Connection): Caller {
  const commandId = randomUUID();
  return {
    userId: connection.userId,
    metadata: (now) => ({
      correlationId: commandId,
      causationId: commandId,
      userId: connection.userId,
      occurredAt: now.toISOString(),
      transport: 'websocket',
    }),
  };
}
