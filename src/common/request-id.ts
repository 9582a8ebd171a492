import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const SANE = /^[\w.:-]{1,128}$/;

const requestIds = new AsyncLocalStorage<string>();

/**
 * A caller's X-Request-Id is kept when sane, else a UUID is made. The header is rewritten so the
 * router, the request logger and the reply all see the same id (and a second call the same one).
 */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && SANE.test(given) ? given : randomUUID();
  req.headers['x-request-id'] = id;
  return id;
}

/** The id of the HTTP request being handled, if any: outbox rows store it so failures name their cause. */
export function currentRequestId(): string | null {
  return requestIds.getStore() ?? null;
}

/**
 * Wraps the HTTP server's request listener so that everything a request runs (hooks, handler,
 * queries) can read its id through `currentRequestId()`. Entered once, before the framework, it
 * costs one context per request instead of an interceptor's observables around every handler.
 */
export function withRequestIds(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => requestIds.run(requestIdOf(req), listener, req, res);
}
