import { HttpException } from '@nestjs/common';
import { databaseErrorCode, isDatabaseUnavailable } from './database-errors';
import {
  DomainError,
  FieldError,
  ProblemSlug,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
} from './errors';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export interface ProblemResponse {
  problem: Problem;
  headers: Record<string, string>;
}

const STATUS: Record<ProblemSlug, [number, string]> = {
  validation: [400, 'Invalid request'],
  'not-found': [404, 'Not found'],
  unauthorized: [401, 'Unauthorized'],
  forbidden: [403, 'Forbidden'],
  'sold-out': [409, 'Sold out'],
  'already-registered': [409, 'Already registered'],
  'registration-closed': [409, 'Registration closed'],
  'idempotency-conflict': [422, 'Idempotency key reused'],
  conflict: [409, 'Conflict'],
  'rate-limited': [429, 'Too many requests'],
  'payload-too-large': [413, 'Payload too large'],
  'unsupported-media-type': [415, 'Unsupported media type'],
  'method-not-allowed': [405, 'Method not allowed'],
  'uri-too-long': [414, 'URI too long'],
  'service-unavailable': [503, 'Service unavailable'],
  internal: [500, 'Internal error'],
};

const SLUG_BY_STATUS: Record<number, ProblemSlug> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'validation',
  409: 'conflict',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  422: 'validation',
  429: 'rate-limited',
  503: 'service-unavailable',
};

function problem(baseUrl: string, slug: ProblemSlug, detail: string, errors?: FieldError[], status?: number): Problem {
  const [defaultStatus, title] = STATUS[slug];
  return {
    type: `${baseUrl}/problems/${slug}`,
    title,
    status: status ?? defaultStatus,
    detail,
    ...(errors ? { errors } : {}),
  };
}

/** Turns anything thrown while serving a request into a problem+json answer. */
export function toProblem(error: unknown, baseUrl: string): ProblemResponse {
  if (error instanceof DomainError) {
    const headers: Record<string, string> = {};
    if (error instanceof RateLimitedError) headers['Retry-After'] = String(error.retryAfterSeconds);
    if (error instanceof ServiceUnavailableError) headers['Retry-After'] = '2';
    // RFC 9110: a 401 names the scheme that would be accepted.
    if (error instanceof UnauthorizedError) headers['WWW-Authenticate'] = 'Bearer';
    const errors = error instanceof ValidationError ? error.errors : undefined;
    return { problem: problem(baseUrl, error.slug, error.message, errors), headers };
  }
  // PostgreSQL's class 22 "data exception" (a NUL byte, a value out of range…) is bad input.
  if (databaseErrorCode(error)?.startsWith('22')) {
    return toProblem(new ValidationError('The request contains a value that cannot be stored or searched'), baseUrl);
  }
  const status = httpStatusOf(error);
  // The readiness check reports an unreachable database as an HTTP 503.
  if (isDatabaseUnavailable(error) || status === 503) {
    return toProblem(new ServiceUnavailableError(), baseUrl);
  }
  if (status === 401) return toProblem(new UnauthorizedError(), baseUrl);
  if (status !== undefined && status >= 400 && status < 500) {
    const slug = SLUG_BY_STATUS[status] ?? 'validation';
    return { problem: problem(baseUrl, slug, clientMessage(error, status), undefined, status), headers: {} };
  }
  return { problem: problem(baseUrl, 'internal', 'An unexpected error occurred'), headers: {} };
}

function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  if (error && typeof error === 'object') {
    const e = error as { statusCode?: unknown; status?: unknown };
    const s = typeof e.statusCode === 'number' ? e.statusCode : e.status;
    if (typeof s === 'number') return s;
  }
  return undefined;
}

function clientMessage(error: unknown, status: number): string {
  if (status === 404) return 'Resource not found';
  if (status === 413) return 'The request body is larger than 100 kB';
  // The framework's own messages for these quote the request path or header: never echo them.
  if (status === 414) return 'The request path is too long';
  if (status === 415) return 'Request bodies must be application/json';
  if (error instanceof Error && 'code' in error && error.code === 'FST_ERR_BAD_URL')
    return 'The request path is not valid percent-encoded UTF-8';
  if (error instanceof HttpException) {
    const r = error.getResponse();
    if (typeof r === 'object' && r && 'message' in r) {
      const m = r.message;
      return Array.isArray(m) ? m.join('; ') : String(m);
    }
    return error.message;
  }
  return error instanceof Error ? error.message : 'Bad request';
}
