import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from './errors';

/** No body here nests deeper than a few levels; 32 leaves room and keeps every later walk shallow. */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of objects and arrays in JSON text, found by one loop over the characters
 * (no recursion, so no input can overflow the stack here). Brackets inside strings do not count;
 * the text need not be valid JSON (the parser judges that afterwards).
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      deepest = Math.max(deepest, ++depth);
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return deepest;
}

/**
 * Registers the one parser of request bodies: JSON, at most `bodyLimit` bytes and
 * `MAX_JSON_DEPTH` levels deep (refused before anything walks it: class-transformer and the
 * validators recurse). An empty body is no body, so `POST …/publish` with
 * `Content-Type: application/json` and nothing else is fine; routes that need a body say so.
 */
export function useJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request: FastifyRequest, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      return done(
        new ValidationError(`The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`, [
          { field: 'body', message: `must not nest objects and arrays deeper than ${MAX_JSON_DEPTH} levels` },
        ]),
        undefined,
      );
    }
    // Fastify's own JSON parser (prototype-poisoning checks included) does the parsing.
    void parse(request, text, done);
  });
}
