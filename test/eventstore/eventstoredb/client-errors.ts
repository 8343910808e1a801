import { convertToCommandError } from '@eventstore/db-client';

/** gRPC status codes the tests need (as @grpc/grpc-js numbers them). */
export const GRPC = { UNKNOWN: 2, INVALID_ARGUMENT: 3, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;
const NAMES: Record<number, string> = {
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};

/**
 * The error a call to the server fails with, as @grpc/grpc-js delivers it (code, details, message
 * `<code> <NAME>: <details>`, trailing metadata with the server's `exception` key when it sets
 * one), turned into the client's error class by the client's own conversion, as every client
 * call does.
 */
export function clientError(code: number, details: string, metadata: Record<string, string> = {}): Error {
  const serviceError = Object.assign(new Error(`${code} ${NAMES[code] ?? 'STATUS'}: ${details}`), {
    code,
    details,
    metadata: { getMap: () => metadata },
  });
  return convertToCommandError(serviceError);
}
