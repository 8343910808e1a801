/**
 * The domain's refusals. `kind` says what sort of refusal it is (the HTTP layer maps kinds to
 * status codes); `code` is stable and becomes the problem type clients match on.
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'forbidden' | 'conflict';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (code: string, message: string) => new DomainError('invalid', code, message);
export const notFound = (code: string, message: string) => new DomainError('not_found', code, message);
export const forbidden = (code: string, message: string) => new DomainError('forbidden', code, message);
export const conflict = (code: string, message: string) => new DomainError('conflict', code, message);
