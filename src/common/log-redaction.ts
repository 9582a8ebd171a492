import type { FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';

const REDACTED = '[redacted]';

/**
 * Secrets that travel in URLs or headers, as they can appear anywhere in a log line: the request
 * URL, Fastify's "Route GET:/… not found", an error message or a stack. The manage token is the
 * path segment after /registrations/ (not the staff /admin/registrations/:id, not /resend) and
 * after /m/ (the attendee page); `…token=` query parameters, bearer tokens and the password in
 * a URL's user info (`postgres://u:secret@…`, `smtp://u:secret@…`) go too.
 */
const SECRETS: [RegExp, string][] = [
  [/((?<!\/admin)\/registrations\/)(?!resend(?=[/?#"\s\\]|$))[^/?#"\s\\]+/gi, `$1${REDACTED}`],
  [/(\/m\/)[^/?#"\s\\]+/g, `$1${REDACTED}`],
  [/([?&][\w.-]*token=)[^&#"\s\\]+/gi, `$1${REDACTED}`],
  [/(bearer\s+)[\w.~+/=-]+/gi, `$1${REDACTED}`],
  [/(\b[a-z][\w+.-]*:\/\/[^/\s:@"]*:)[^@/\s"]+@/gi, `$1${REDACTED}@`],
];

/** A cheap test that lets the lines with none of the patterns through untouched. */
const MAYBE_SECRET = /\/registrations\/|\/m\/|token=|bearer|:\/\/[^/\s"]*@/i;

/** Removes every secret in `SECRETS` from one serialized log line. */
export function redactSecrets(line: string): string {
  if (!MAYBE_SECRET.test(line)) return line;
  let out = line;
  for (const [pattern, replacement] of SECRETS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Fastify's pino options: JSON lines at `level`, every line scrubbed of secrets just before it is
 * written (pino's streamWrite hook sees the final text, so no field or message can slip past).
 * Bodies are never logged; the Authorization header is not either (Fastify's request serializer
 * leaves headers out; the redact paths guard a future serializer that adds them).
 */
export function loggerOptions(level: string, stream?: DestinationStream): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]'], censor: REDACTED },
    hooks: { streamWrite: redactSecrets },
  };
}
