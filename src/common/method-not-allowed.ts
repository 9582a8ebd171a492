import type { FastifyInstance } from 'fastify';
import { ValidationError } from './errors';
import { toProblem } from './problem';

/**
 * A route path as the router writes it (`/sessions/:id`, `/calendars/categories/:category.ics`,
 * `/docs/*`) as a regular expression over raw request paths.
 */
export function routePattern(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => {
      if (part === '*') return '.*';
      if (part.startsWith(':')) return '[^/]+?';
      return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** Every route's method by path pattern, to tell a wrong method (405) from a wrong path (404). */
export class RouteTable {
  private readonly routes: { method: string; pattern: RegExp }[] = [];

  add(method: string | string[], url: string): void {
    const pattern = routePattern(url);
    for (const m of [method].flat()) this.routes.push({ method: m.toUpperCase(), pattern });
  }

  /**
   * The methods some route answers at this path, sorted. OPTIONS is left out: CORS preflight
   * answers it on every path, which would make every unknown path a 405.
   */
  allowed(path: string): string[] {
    const methods = this.routes.filter((r) => r.method !== 'OPTIONS' && r.pattern.test(path)).map((r) => r.method);
    return [...new Set(methods)].sort();
  }
}

/**
 * A request that no route takes, on a path that other methods do, answers 405 with `Allow`
 * (RFC 9110) instead of Nest's 404. Call before the routes are registered (before `init()`).
 */
export function useMethodNotAllowed(fastify: FastifyInstance, baseUrl: string): void {
  const routes = new RouteTable();
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url));
  // preParsing: after every onRequest hook (request id, security headers, CORS) has set its
  // headers, before a body is read for a route that does not exist.
  fastify.addHook('preParsing', (request, reply, payload, done) => {
    if (!request.is404) return done(null, payload);
    const allowed = routes.allowed(request.url.split('?', 1)[0]);
    if (allowed.length === 0) return done(null, payload);
    if (allowed.includes(request.method)) {
      // A route takes this method here, yet the router did not: it matches a parameter with a
      // suffix (`:category.ics`) by a pattern no line terminator passes. The path is malformed.
      const { problem } = toProblem(new ValidationError('The path holds characters that no route takes'), baseUrl);
      void reply.status(400).type('application/problem+json').send(problem);
      return;
    }
    const error = Object.assign(new Error(`${request.method} is not allowed on this path, which answers ${allowed.join(', ')}`), {
      statusCode: 405,
    });
    const { problem } = toProblem(error, baseUrl);
    void reply.status(405).header('Allow', allowed.join(', ')).type('application/problem+json').send(problem);
  });
}
