import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorCodes } from 'fastify';

/** Only the attendee pages' own forms take HTML form bodies; the JSON API keeps answering them 415. */
const FORM_ROUTES = new Set(['/e/:eventSlug/register', '/m/:token/cancel']);
const FORM_BODY_LIMIT = 8 * 1024;

export function acceptFormBodiesOnPages(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, value?: unknown) => void) => {
      if (!FORM_ROUTES.has(request.routeOptions.url ?? '')) {
        done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(String(request.headers['content-type'])));
        return;
      }
      const fields: Record<string, string> = {};
      // The first of a repeated field wins: a form never repeats its own.
      for (const [name, value] of new URLSearchParams(body.toString())) if (!(name in fields)) fields[name] = value;
      done(null, fields);
    },
  );
}
