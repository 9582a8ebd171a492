import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import fresh from 'fresh';

/** Conditional GET (RFC 9110 §13) and shared-cache headers (RFC 9111), for the feeds and the public listings. */

export interface ConditionalHeaders {
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

/**
 * The request's validators, read off the request rather than through a parameter decorator: the
 * global pipes then have nothing to do on a 304, the hottest path of a polled resource.
 */
export function conditionalHeaders(request: FastifyRequest): ConditionalHeaders {
  const { headers } = request;
  return { ifNoneMatch: headers['if-none-match'], ifModifiedSince: headers['if-modified-since'] };
}

/**
 * RFC 9110 §13.2.2 for GET/HEAD, by `fresh`: If-None-Match (weak comparison, lists, `*`) decides
 * when present; otherwise If-Modified-Since, at one-second precision, and only for an answer that
 * has a Last-Modified. An empty If-None-Match is absent.
 */
export function isNotModified(headers: ConditionalHeaders, etag: string, lastModified?: Date): boolean {
  return fresh(
    { 'if-none-match': headers.ifNoneMatch?.trim() || undefined, 'if-modified-since': headers.ifModifiedSince },
    { etag, 'last-modified': lastModified?.toUTCString() },
  );
}

/**
 * A strong validator of exactly these bytes: two answers share it only if they are byte for byte
 * the same, whichever instance made them.
 */
export function strongEtag(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

export interface CachePolicy {
  /** The longest a cache may keep the answer without asking again, in seconds. */
  maxAgeS: number;
  /** How long past that a cache may still serve it while it revalidates in the background. */
  staleWhileRevalidateS: number;
}

/**
 * `Cache-Control` of a public answer that time alone changes at `staleAt` (epoch ms; undefined:
 * only a change does): max-age never reaches past that instant, so no cache keeps it as fresh
 * beyond it.
 */
export function publicCacheControl(policy: CachePolicy, now: number, staleAt?: number): string {
  const untilStale = staleAt === undefined ? Infinity : Math.floor((staleAt - now) / 1000);
  const maxAge = Math.max(0, Math.min(policy.maxAgeS, untilStale));
  return `public, max-age=${maxAge}, stale-while-revalidate=${policy.staleWhileRevalidateS}`;
}

/**
 * `Vary` without `Origin` (undefined when nothing is left), for answers that are the same for
 * every origin: the public CORS policy answers `Access-Control-Allow-Origin: *` to all (with or
 * without an Origin), but the CORS plugin marks every answer `Vary: Origin` once its options are
 * chosen per request, which would make shared caches keep one copy per embedding site.
 */
export function varyWithoutOrigin(vary: string | number | string[] | undefined): string | undefined {
  if (vary === undefined) return undefined;
  const rest = (Array.isArray(vary) ? vary.join(',') : String(vary))
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field !== '' && field.toLowerCase() !== 'origin');
  return rest.length > 0 ? rest.join(', ') : undefined;
}
