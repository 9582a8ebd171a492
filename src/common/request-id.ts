import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SANE = /^[\w.:-]{1,128}$/;

/**
 * Fastify's `genReqId`: a caller's X-Request-Id is kept when sane, else a UUID is made. The
 * header is rewritten so the request logger and the reply see the same id (and a second call the
 * same one). Handlers read it as `request.id` and hand it to what stores it (outbox rows), so no
 * async context has to carry it through every promise of the process.
 */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && SANE.test(given) ? given : randomUUID();
  req.headers['x-request-id'] = id;
  return id;
}
