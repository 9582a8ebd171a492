// Types reply.view(), which @fastify/view adds.
import type {} from '@fastify/view';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * CSP, framing (denied, except /embed/*) and `Referrer-Policy: no-referrer` come from the
 * service-wide headers (common/http-security.ts); a page carrying a manage token is also kept
 * out of every cache.
 */
export function setPageHeaders(reply: FastifyReply, options: { secret?: boolean } = {}): FastifyReply {
  void reply.header('Content-Type', 'text/html; charset=utf-8');
  if (options.secret) void reply.header('Cache-Control', 'no-store');
  return reply;
}

/**
 * A form post from another site (CSRF) is refused. Browsers that send Sec-Fetch-Site are judged by
 * it alone (their Origin is "null" under our no-referrer policy); older ones send Origin on every
 * cross-origin POST; a client sending neither is not a browser another site can drive.
 */
export function isCrossSitePost(request: FastifyRequest, publicBaseUrl: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  const own = new Set([new URL(publicBaseUrl).origin, `${request.protocol}://${request.headers.host ?? ''}`]);
  return !own.has(origin);
}
