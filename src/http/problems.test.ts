import { describe, expect, it } from 'vitest';
import { DomainError, REFUSALS, refuse } from '../domain/errors.js';
import { ERRORS, HttpError, mapError, problem } from './problems.js';

describe('the error table', () => {
  it('gives every refusal of the domain the status of its kind', () => {
    const statusOfKind = { invalid: 400, not_found: 404, forbidden: 403, conflict: 409 };
    for (const [code, kind] of Object.entries(REFUSALS)) {
      expect(ERRORS[code as keyof typeof REFUSALS].status, code).toBe(statusOfKind[kind]);
    }
  });

  it('answers a refusal with its code as the problem type, and the table its status and title', () => {
    const mapped = mapError(refuse('not_the_sender', 'only the sender may edit a message'));
    expect(mapped.problem).toEqual({
      type: 'https://chat-backend.dev/problems/not-the-sender',
      title: 'Forbidden',
      status: 403,
      detail: 'only the sender may edit a message',
    });
    expect(new DomainError('email_taken', 'x').kind).toBe('conflict');
  });

  it('takes the status of the shell errors from the table too', () => {
    expect(new HttpError('invalid_min_position', 'x').status).toBe(400);
    expect(problem('headers_too_large', 'x')).toMatchObject({
      status: 431,
      title: 'Request Header Fields Too Large',
    });
  });

  it('keeps the status of a 4xx fastify chose that the table does not name', () => {
    const teapot = Object.assign(new Error('short and stout'), { statusCode: 418 });
    expect(mapError(teapot).problem).toMatchObject({
      status: 418,
      type: expect.stringMatching(/bad-request$/),
    });
    const tooLong = Object.assign(new Error('uri'), { statusCode: 414 });
    expect(mapError(tooLong).problem).toMatchObject({ status: 414, title: 'URI Too Long' });
  });
});
