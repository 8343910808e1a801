import { Type, type TSchema } from '@sinclair/typebox';

/**
 * The pieces every route's `schema` shares for the OpenAPI document: the problem document, the
 * error answers each kind of route can give, the 204 answer and the X-Min-Position header.
 * Routes declare their own answers with these, so the document is generated from what fastify
 * itself serialises (and `test/http/openapi-document.test.ts` checks it against what they send).
 */

const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export const ProblemDocument = Type.Object(
  {
    type: Type.String({ description: 'stable problem type URI; match on its last segment' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        description: 'for a validation problem: what is wrong, where (JSON pointer into the request)',
      }),
    ),
  },
  { title: 'Problem', description: 'RFC 9457 problem document' },
);

/** What each error status means, for any route that answers it (a route may say more). */
const MEANING: Record<ErrorStatus, string> = {
  400: 'The request is not valid (a validation problem lists what is wrong in `errors`)',
  401: 'A valid bearer token is required (missing, invalid or expired)',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict; for a concurrent change of the same resource, retry the request',
  413: 'The body is too large (64 KiB for JSON, 16 KiB for a form)',
  415: 'Unsupported content type (send application/json)',
  429: 'Too many requests; retry after `Retry-After` seconds',
  503: 'A database or the event store is unavailable, or the read models have not reached `X-Min-Position` in time; retry after `Retry-After` seconds',
};
const EXAMPLE_CODE: Record<ErrorStatus, string> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'not-a-member',
  404: 'user-not-found',
  409: 'concurrency-conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
  503: 'database-unavailable',
};

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

const RETRY_AFTER = { 'retry-after': { type: 'integer', description: 'seconds to wait before retrying' } };

function problemResponse(status: ErrorStatus, description: string) {
  return {
    description,
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
    content: {
      [PROBLEM_MEDIA_TYPE]: {
        schema: ProblemDocument,
        example: {
          type: `https://chat-backend.dev/problems/${EXAMPLE_CODE[status]}`,
          title: TITLE[status],
          status,
          detail: description.split(';')[0],
          ...(status === 400 ? { errors: [{ path: '/body/username', message: 'must match pattern' }] } : {}),
        },
      },
    },
  };
}
const TITLE: Record<ErrorStatus, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

type ProblemSpec = ErrorStatus | Partial<Record<ErrorStatus, string>>;

/**
 * Error answers of a route, as `response` entries: `problems(404, { 403: 'not a member' })`.
 * A status named with a text gets that text as its description.
 */
export function problems(...specs: ProblemSpec[]) {
  const texts = new Map<ErrorStatus, string>();
  for (const spec of specs) {
    if (typeof spec === 'number') {
      if (!texts.has(spec)) texts.set(spec, MEANING[spec]);
    } else {
      for (const [status, text] of Object.entries(spec)) {
        const code = Number(status) as ErrorStatus;
        texts.set(
          code,
          texts.has(code) && texts.get(code) !== MEANING[code] ? `${texts.get(code)}; ${text}` : text!,
        );
      }
    }
  }
  return Object.fromEntries([...texts].map(([status, text]) => [status, problemResponse(status, text)]));
}

/** Every route: a NUL or lone surrogate anywhere in the request is refused; a database may be down. */
const ANY_ROUTE: ErrorStatus[] = [400, 503];
/** A route behind the bearer token. */
export const SIGNED_IN: ErrorStatus[] = [...ANY_ROUTE, 401];
/** A route that takes a body. */
export const WITH_BODY: ErrorStatus[] = [...ANY_ROUTE, 413, 415];
/** A command with a body: after its bounded retries a concurrent change of the stream may still win. */
export const COMMAND: ErrorStatus[] = [...WITH_BODY, 409];
/** A command of a signed-in caller. */
export const CALLER_COMMAND: ErrorStatus[] = [...SIGNED_IN, ...COMMAND];

const Position = Type.String({ pattern: '^[0-9]{1,20}$', examples: ['1042'] });

/** `X-Position` on a 2xx answer: the log position of what the command wrote, for X-Min-Position. */
const POSITION_HEADER = {
  'x-position': { type: 'string', description: 'log position of the events written (when any)' },
};

/** A 204 answer (no body); `X-Position` tells a later query how far to wait (X-Min-Position). */
export const NoContent = (description = 'Done') => ({ type: 'null', description, headers: POSITION_HEADER });

/** A 2xx answer with a body and a description. */
export const Answer = <T extends TSchema>(schema: T, description: string) =>
  Type.Unsafe<T['static']>({ ...schema, description });

/** The read-your-writes header every query accepts. */
export const MinPositionHeaders = Type.Object({
  'x-min-position': Type.Optional(
    Type.String({
      ...Position,
      description:
        'answer only once the read models reflect every event up to this log position (a `position` ' +
        'from a command); waits a few seconds, then 503',
    }),
  ),
});

/** Problems of a query: a malformed or impossible X-Min-Position (400), a wait that timed out (503). */
export const QUERY: ErrorStatus[] = [...SIGNED_IN];
