/**
 * Domain errors: services throw these, knowing nothing of HTTP. The problem filter maps each
 * `slug` to its status and problem+json document.
 */
export type ProblemSlug =
  | 'validation'
  | 'not-found'
  | 'unauthorized'
  | 'forbidden'
  | 'sold-out'
  | 'already-registered'
  | 'registration-closed'
  | 'idempotency-conflict'
  | 'conflict'
  | 'rate-limited'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'method-not-allowed'
  | 'uri-too-long'
  | 'service-unavailable'
  | 'internal';

export interface FieldError {
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly slug: ProblemSlug;
}

export class ValidationError extends DomainError {
  readonly slug = 'validation';
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly slug = 'not-found';
  constructor(what = 'Resource') {
    super(`${what} not found`);
  }
}

export class UnauthorizedError extends DomainError {
  readonly slug = 'unauthorized';
  constructor(message = 'A valid bearer token is required') {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly slug = 'forbidden';
  constructor(message = 'Your role does not allow this') {
    super(message);
  }
}

export class ConflictError extends DomainError {
  readonly slug = 'conflict';
}

export class SoldOutError extends DomainError {
  readonly slug = 'sold-out';
  constructor() {
    super('No seats are left in this session and it has no waitlist');
  }
}

export class AlreadyRegisteredError extends DomainError {
  readonly slug = 'already-registered';
  constructor() {
    super('This email already holds a place in this session');
  }
}

export class RegistrationClosedError extends DomainError {
  readonly slug = 'registration-closed';
}

export class IdempotencyConflictError extends DomainError {
  readonly slug = 'idempotency-conflict';
  constructor() {
    super('This Idempotency-Key was already used with a different request');
  }
}

export class RateLimitedError extends DomainError {
  readonly slug = 'rate-limited';
  constructor(readonly retryAfterSeconds: number) {
    super('Too many requests; try again later');
  }
}

export class ServiceUnavailableError extends DomainError {
  readonly slug = 'service-unavailable';
  constructor(message = 'The database is unreachable; try again shortly') {
    super(message);
  }
}
