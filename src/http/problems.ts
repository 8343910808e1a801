import { DomainError, REFUSALS, type DomainErrorKind, type RefusalCode } from '../domain/errors.js';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../eventstore/errors.js';
import { PasswordHasherBusyError } from '../platform/passwords.js';
import { isConnectionFailure } from '../platform/pool-errors.js';

/** An RFC 9457 problem document. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

export const PROBLEM_TYPE_BASE = 'https://chat-backend.dev/problems/';

const TITLE_OF_KIND = {
  invalid: { status: 400, title: 'Bad Request' },
  not_found: { status: 404, title: 'Not Found' },
  forbidden: { status: 403, title: 'Forbidden' },
  conflict: { status: 409, title: 'Conflict' },
} as const satisfies Record<DomainErrorKind, { status: number; title: string }>;

/** The problems the HTTP shell and the stores raise (the domain's refusals are in REFUSALS). */
const SHELL_ERRORS = {
  validation: { status: 400, title: 'Bad Request' },
  bad_request: { status: 400, title: 'Bad Request' },
  invalid_min_position: { status: 400, title: 'Bad Request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  not_found: { status: 404, title: 'Not Found' },
  route_not_found: { status: 404, title: 'Not Found' },
  concurrency_conflict: { status: 409, title: 'Conflict' },
  method_not_allowed: { status: 405, title: 'Method Not Allowed' },
  payload_too_large: { status: 413, title: 'Content Too Large' },
  uri_too_long: { status: 414, title: 'URI Too Long' },
  unsupported_media_type: { status: 415, title: 'Unsupported Media Type' },
  upgrade_required: { status: 426, title: 'Upgrade Required' },
  too_many_requests: { status: 429, title: 'Too Many Requests' },
  too_many_connections: { status: 429, title: 'Too Many Requests' },
  headers_too_large: { status: 431, title: 'Request Header Fields Too Large' },
  internal: { status: 500, title: 'Internal Server Error' },
  busy: { status: 503, title: 'Service Unavailable' },
  not_ready: { status: 503, title: 'Service Unavailable' },
  database_unavailable: { status: 503, title: 'Service Unavailable' },
  store_unavailable: { status: 503, title: 'Service Unavailable' },
} as const;

/** The 4xx statuses fastify itself answers with, and their codes. */
const CODE_OF_FASTIFY_STATUS: Partial<Record<number, keyof typeof SHELL_ERRORS>> = {
  400: 'bad_request',
  404: 'route_not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
};

export type ProblemCode = RefusalCode | keyof typeof SHELL_ERRORS;

/**
 * The one error table, in the manner of fastify's FST_ERR_*: every problem code the service can
 * answer with, its status and its title. A code not in it does not compile at a throw site.
 */
export const ERRORS: Readonly<Record<ProblemCode, { readonly status: number; readonly title: string }>> =
  Object.freeze({
    ...(Object.fromEntries(
      Object.entries(REFUSALS).map(([code, kind]) => [code, TITLE_OF_KIND[kind]]),
    ) as Record<RefusalCode, { status: number; title: string }>),
    ...SHELL_ERRORS,
  });

/** Errors the HTTP layer raises itself (the domain raises DomainError). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  constructor(
    readonly code: keyof typeof SHELL_ERRORS,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly errors?: Problem['errors'],
  ) {
    super(message);
    this.status = SHELL_ERRORS[code].status;
  }
}

export const unauthorized = (detail = 'a valid bearer token is required') =>
  new HttpError('unauthorized', detail, { 'www-authenticate': 'Bearer' });
export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new HttpError('too_many_requests', detail, {
    'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });
export const notReady = (detail: string, retryAfterSeconds = 1) =>
  new HttpError('not_ready', detail, { 'retry-after': String(retryAfterSeconds) });

export function problem(code: ProblemCode, detail: string, errors?: Problem['errors']): Problem {
  const { status, title } = ERRORS[code];
  return {
    type: `${PROBLEM_TYPE_BASE}${code.replaceAll('_', '-')}`,
    title,
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
      problem: problem(error.code, error.message),
      headers: {},
      unexpected: false,
    };
  }
  if (error instanceof HttpError) {
    return {
      problem: problem(error.code, error.message, error.errors),
      headers: error.headers,
      unexpected: false,
    };
  }
  if (error instanceof WrongExpectedRevisionError) {
    return {
      problem: problem('concurrency_conflict', 'the resource changed concurrently; retry the request'),
      headers: {},
      unexpected: false,
    };
  }
  if (error instanceof PasswordHasherBusyError) {
    return {
      problem: problem('busy', 'too many password checks at once; retry shortly'),
      headers: { 'retry-after': '1' },
      unexpected: false,
    };
  }
  if (isConnectionFailure(error)) {
    // A database (the read models, the rate limits) cannot be reached: the client may retry.
    return {
      problem: problem('database_unavailable', 'a database is unavailable; retry shortly'),
      headers: { 'retry-after': '1' },
      unexpected: true,
    };
  }
  if (error instanceof EventStoreUnavailableError) {
    return {
      problem: problem('store_unavailable', 'the event store is unavailable; retry shortly'),
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
      problem: problem('validation', 'the request is not valid', errors),
      headers: {},
      unexpected: false,
    };
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = CODE_OF_FASTIFY_STATUS[status];
    // Another 4xx fastify chose keeps its status, under the generic code.
    const mapped = code
      ? problem(code, fastifyError.message)
      : { ...problem('bad_request', fastifyError.message), status };
    return { problem: mapped, headers: {}, unexpected: false };
  }
  return {
    problem: problem('internal', 'an unexpected error occurred'),
    headers: {},
    unexpected: true,
  };
}
