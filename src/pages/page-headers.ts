// Types reply.view(), which @fastify/view adds.
import type {} from '@fastify/view';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Pages load nothing but their own stylesheet: no script at all, so no script can be injected either. */
const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/** The iframe box: any site may frame it; it has no form and no script. */
const FRAMED_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors *; base-uri 'none'";

export function setPageHeaders(reply: FastifyReply, options: { framable?: boolean; secret?: boolean } = {}): FastifyReply {
  void reply.header('Content-Security-Policy', options.framable ? FRAMED_CSP : PAGE_CSP);
  void reply.header('Content-Type', 'text/html; charset=utf-8');
  if (!options.framable) void reply.header('X-Frame-Options', 'DENY');
  // A page carrying a manage token: no cache keeps it, and no link leaks it in a Referer.
  if (options.secret) void reply.header('Cache-Control', 'no-store').header('Referrer-Policy', 'no-referrer');
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
