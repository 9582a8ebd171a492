import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Response headers a browser script may read across origins (beyond the CORS-safelisted ones). */
export const EXPOSED_HEADERS = ['ETag', 'Retry-After', 'X-Request-Id', 'Idempotent-Replayed', 'Location'];

/** How long a browser may reuse a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE = 600;

export interface CorsPolicy {
  /** `*`: any origin (no credentials); a list: only these, echoed back. */
  origins: '*' | readonly string[];
  methods: readonly string[];
  allowedHeaders: readonly string[];
}

/** Any site may embed listings, registration, feeds and /embed/*; no cookies are involved. */
export const PUBLIC_CORS: CorsPolicy = {
  origins: '*',
  methods: ['GET', 'HEAD', 'POST', 'DELETE'],
  allowedHeaders: ['Content-Type', 'Idempotency-Key', 'If-None-Match', 'If-Modified-Since', 'X-Request-Id'],
};

/** Staff routes carry bearer tokens: an origin not listed gets no Access-Control-Allow-Origin, so the browser keeps the answer from it. */
export function staffCors(corsOrigins: readonly string[]): CorsPolicy {
  return {
    origins: corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
  };
}

/** The paths of the staff routes. */
export const STAFF_PATH = /^\/(?:admin|auth)(?:[/?#]|$)/;

/**
 * One policy's headers, built once: what @fastify/cors sends for the same options (cors.spec.ts
 * holds them to it), without its per-request merging of option objects.
 */
class CorsHeaders {
  /** Every answer's, but Access-Control-Allow-Origin for a list of origins, which depends on the request. */
  private readonly always: Readonly<Record<string, string>>;
  private readonly preflight: Readonly<Record<string, string>>;
  private readonly origins: ReadonlySet<string> | undefined;

  constructor(policy: CorsPolicy) {
    const reflected = policy.origins !== '*';
    this.origins = reflected ? new Set(policy.origins) : undefined;
    this.always = {
      ...(reflected ? { vary: 'Origin' } : { 'access-control-allow-origin': '*' }),
      'access-control-expose-headers': EXPOSED_HEADERS.join(', '),
    };
    this.preflight = {
      'access-control-allow-methods': policy.methods.join(', '),
      'access-control-allow-headers': policy.allowedHeaders.join(', '),
      'access-control-max-age': String(PREFLIGHT_MAX_AGE),
    };
  }

  apply(request: FastifyRequest, reply: FastifyReply): void {
    void reply.headers(this.always);
    const origin = request.headers.origin;
    if (this.origins && origin !== undefined && this.origins.has(origin)) void reply.header('access-control-allow-origin', origin);
  }

  answerPreflight(reply: FastifyReply): void {
    void reply.headers(this.preflight).code(204).header('content-length', '0').send();
  }
}

/**
 * CORS for every answer, 404s and errors included: public routes for any origin, staff routes
 * (`/admin`, `/auth`) for the origins in CORS_ORIGINS. Every OPTIONS request is a preflight,
 * answered 204 with the methods and headers its path allows, as it arrives (before any body is
 * read or any later hook runs); the OPTIONS * route makes it a method that every path has.
 */
export function useCors(fastify: FastifyInstance, corsOrigins: readonly string[]): void {
  const publicHeaders = new CorsHeaders(PUBLIC_CORS);
  const staffHeaders = new CorsHeaders(staffCors(corsOrigins));
  const headersFor = (request: FastifyRequest): CorsHeaders => (STAFF_PATH.test(request.url) ? staffHeaders : publicHeaders);
  fastify.addHook('onRequest', (request, reply, done) => {
    const headers = headersFor(request);
    headers.apply(request, reply);
    if (request.method === 'OPTIONS') return headers.answerPreflight(reply);
    done();
  });
  fastify.options('*', (request, reply) => headersFor(request).answerPreflight(reply));
}
