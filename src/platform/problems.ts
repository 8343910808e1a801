import { DomainError, type DomainErrorKind } from '../domain/errors.js';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../eventstore/errors.js';
import { PasswordHasherBusyError } from './passwords.js';
import { isConnectionFailure } from './pool-errors.js';

/** An RFC 9457 problem document. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

export const PROBLEM_TYPE_BASE = 'https://chat-backend.dev/problems/';

/** Errors the HTTP layer raises itself (the domain raises DomainError). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly errors?: Problem['errors'],
  ) {
    super(message);
  }
}

export const unauthorized = (detail = 'a valid bearer token is required') =>
  new HttpError(401, 'unauthorized', detail, { 'www-authenticate': 'Bearer' });
export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new HttpError(429, 'too_many_requests', detail, {
    'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });
export const notReady = (detail: string, retryAfterSeconds = 1) =>
  new HttpError(503, 'not_ready', detail, { 'retry-after': String(retryAfterSeconds) });

const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  forbidden: 403,
  conflict: 409,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, code: string, detail: string, errors?: Problem['errors']): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}${code.replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(errors ? { errors } : {}),
  };
}

export interface MappedError {
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;
  /** True when the error is not the client's doing and deserves an error log line. */
  readonly unexpected: boolean;
}

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: { missingProperty?: string };
}
interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  validation?: ValidationIssue[];
  validationContext?: string;
  message: string;
}

function validationPath(context: string | undefined, issue: ValidationIssue): string {
  const base = `/${context ?? 'body'}${issue.instancePath ?? ''}`;
  return issue.params?.missingProperty ? `${base}/${issue.params.missingProperty}` : base;
}

/** One mapping from every error the service can meet to a problem document. */
export function mapError(error: unknown): MappedError {
  if (error instanceof DomainError) {
    return {
      problem: problem(STATUS_OF_KIND[error.kind], error.code, error.message),
      headers: {},
      unexpected: false,
    };
  }
  if (error instanceof HttpError) {
    return {
      problem: problem(error.status, error.code, error.message, error.errors),
      headers: error.headers,
      unexpected: false,
    };
  }
  if (error instanceof WrongExpectedRevisionError) {
    return {
      problem: problem(409, 'concurrency_conflict', 'the resource changed concurrently; retry the request'),
      headers: {},
      unexpected: false,
    };
  }
  if (error instanceof PasswordHasherBusyError) {
    return {
      problem: problem(503, 'busy', 'too many password checks at once; retry shortly'),
      headers: { 'retry-after': '1' },
      unexpected: false,
    };
  }
  if (isConnectionFailure(error)) {
    // A database (the read models, the rate limits) cannot be reached: the client may retry.
    return {
      problem: problem(503, 'database_unavailable', 'a database is unavailable; retry shortly'),
      headers: { 'retry-after': '1' },
      unexpected: true,
    };
  }
  if (error instanceof EventStoreUnavailableError) {
    return {
      problem: problem(503, 'store_unavailable', 'the event store is unavailable; retry shortly'),
      headers: { 'retry-after': '1' },
      unexpected: true,
    };
  }
  const fastifyError = error as FastifyLikeError;
  if (fastifyError && Array.isArray(fastifyError.validation)) {
    const errors = fastifyError.validation.map((issue) => ({
      path: validationPath(fastifyError.validationContext, issue),
      message: issue.message ?? 'is invalid',
    }));
    return {
      problem: problem(400, 'validation', 'the request is not valid', errors),
      headers: {},
      unexpected: false,
    };
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code =
      status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
    return { problem: problem(status, code, fastifyError.message), headers: {}, unexpected: false };
  }
  return {
    problem: problem(500, 'internal', 'an unexpected error occurred'),
    headers: {},
    unexpected: true,
  };
}
