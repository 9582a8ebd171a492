import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SANE = /^[\w.:-]{1,128}$/;

/**
 * A caller's X-Request-Id is kept when sane, else a UUID is made. The header is rewritten so the
 * router, the request logger and the reply all see the same id.
 */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && SANE.test(given) ? given : randomUUID();
  req.headers['x-request-id'] = id;
  return id;
}
