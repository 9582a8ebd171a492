import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { STAFF_PATH, useCors } from './cors';

/** The contract: a request body that has not arrived within 30 s is cut off. */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Node's HTTP server, made for Fastify (its `serverFactory`), with its timeouts. `requestTimeout`
 * bounds the whole request (headers and body: a body dribbled a byte at a time is cut off with a
 * 408 and the socket closed); Node checks it every `connectionsCheckingInterval`, so that is a
 * tenth of it, not Node's 30 s. Headers get a third of it. The socket timeout drops a socket
 * silent both ways (a reader that stopped reading); keep-alive stays Fastify's 72 s, past
 * proxies' 60 s idle.
 */
export function httpServerOptions(
  publicBaseUrl: string,
  requestTimeoutMs = REQUEST_TIMEOUT_MS,
): Pick<FastifyServerOptions, 'serverFactory' | 'clientErrorHandler'> {
  return {
    serverFactory: (handler) => {
      const server = createServer(
        {
          requestTimeout: requestTimeoutMs,
          headersTimeout: Math.ceil(requestTimeoutMs / 3),
          connectionsCheckingInterval: Math.max(50, Math.floor(requestTimeoutMs / 10)),
        },
        handler,
      );
      server.keepAliveTimeout = 72_000;
      server.setTimeout(2 * requestTimeoutMs);
      return server;
    },
    clientErrorHandler: clientErrorHandler(publicBaseUrl, requestTimeoutMs),
  };
}

/**
 * Errors Node finds before Fastify sees a request (a timeout, unparsable HTTP) are answered on the
 * raw socket, which is then closed: as problem+json with nosniff, like every other error.
 */
function clientErrorHandler(publicBaseUrl: string, requestTimeoutMs: number) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, reason, slug, detail] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request-timeout', `The request did not arrive within ${requestTimeoutMs / 1000} s`]
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'validation', 'The request headers are too large']
          : [400, 'Bad Request', 'validation', 'The request is not valid HTTP'];
    const body = JSON.stringify({ type: `${publicBaseUrl}/problems/${slug}`, title: reason, status, detail });
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

/**
 * The Content-Security-Policy of every answer: scripts, styles and images from this service only;
 * no framing, plugins or inline script. It fits the server-rendered pages and means nothing to JSON.
 */
export const CSP: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'base-uri': ["'none'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
};

const policy = (directives: Readonly<Record<string, readonly string[]>>): string =>
  Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`.trim())
    .join(';');

/** Helmet's configuration: the CSP above, and no HSTS (left to the TLS terminator, which knows whether there is one). */
const HELMET: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { ...CSP } },
  // Other sites load the embed script and feeds; cross-origin reads are CORS's business.
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  frameguard: { action: 'deny' },
  // A page carrying a manage token never leaks it to a link.
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: false,
};

/**
 * The headers helmet sets for `options`, asked of it once: they never vary by request, and
 * helmet's middleware rebuilds them (CSP parsing included) for every request it serves.
 */
function helmetHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

/** Every answer's security headers (http-security.spec.ts holds them to @fastify/helmet's own). */
export const SECURITY_HEADERS = helmetHeaders(HELMET);

/** The embeddable box (`/embed/*`) is made to be framed by any site. */
const EMBED_PATH = /^\/embed\//;
export const EMBED_HEADERS = helmetHeaders({
  ...HELMET,
  contentSecurityPolicy: { useDefaults: false, directives: { ...CSP, 'frame-ancestors': ['*'] } },
  frameguard: false,
});

/** Staff answers are read with a bearer token, and some list attendees: no cache may keep them. */
const STAFF_HEADERS: Readonly<Record<string, string>> = { ...SECURITY_HEADERS, 'cache-control': 'no-store' };

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The one <style> Swagger UI's script adds: the colours of its logo (an inline SVG). */
const SWAGGER_LOGO_STYLE = '.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}';

/**
 * Swagger UI's page (from @nestjs/swagger) loads its scripts, its init script included, as files;
 * only its <style> blocks, one style attribute on an SVG and the logo's style are inline. They
 * are allowed by hash, computed from the page as served, so a new version of the page cannot
 * break the UI and nothing else inline applies.
 */
export function docsPolicy(html: string): string {
  const blocks = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => sha256(m[1]));
  const attributes = [...html.matchAll(/\sstyle="([^"]*)"/gi)].map((m) => sha256(m[1]));
  return policy({
    ...CSP,
    'style-src': ["'self'", ...blocks, sha256(SWAGGER_LOGO_STYLE)],
    'style-src-attr': ["'unsafe-hashes'", ...attributes],
  });
}

const DOCS_PAGE = /^\/docs(?:\/|\/index\.html)?$/;

/**
 * The security headers, set as every request arrives so that 404s, errors and preflights carry
 * them too; Swagger UI's page (route by route, so no other answer pays for the check) gets its
 * own policy once its HTML is known.
 */
function securityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(EMBED_PATH.test(request.url) ? EMBED_HEADERS : STAFF_PATH.test(request.url) ? STAFF_HEADERS : SECURITY_HEADERS);
    done();
  });
  let docs: { html: string; policy: string } | undefined;
  const docsPage = (_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void) => {
    if (typeof payload === 'string' && /^text\/html/.test(String(reply.getHeader('content-type')))) {
      if (docs?.html !== payload) docs = { html: payload, policy: docsPolicy(payload) };
      void reply.header('content-security-policy', docs.policy);
    }
    done(null, payload);
  };
  fastify.addHook('onRoute', (route) => {
    if (DOCS_PAGE.test(route.url)) route.onSend = [route.onSend ?? []].flat().concat(docsPage);
  });
}

/**
 * Security headers and CORS for every route, 404s and errors included. Registered before any
 * route so their hooks run first.
 */
export function registerHttpSecurity(fastify: FastifyInstance, corsOrigins: readonly string[]): void {
  securityHeaders(fastify);
  useCors(fastify, corsOrigins);
}
