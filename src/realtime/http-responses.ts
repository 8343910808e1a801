import type { HttpResponse } from 'uWebSockets.js';
import { ERRORS, problem, type ProblemCode } from '../http/problems.js';

const STATUS_LINES: Readonly<Record<number, string>> = {
  400: '400 Bad Request',
  401: '401 Unauthorized',
  404: '404 Not Found',
  426: '426 Upgrade Required',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

/**
 * Answers with an RFC 9457 problem document and closes the connection (an upgrade that is
 * refused, or a request this server does not serve). The caller corks when not in the handler's
 * own synchronous part.
 */
export function writeProblem(
  res: HttpResponse,
  code: ProblemCode,
  detail: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  const { status } = ERRORS[code];
  res.writeStatus(STATUS_LINES[status] ?? String(status));
  res.writeHeader('content-type', 'application/problem+json');
  for (const [name, value] of Object.entries(headers)) res.writeHeader(name, value);
  res.end(JSON.stringify(problem(code, detail)), true);
}
