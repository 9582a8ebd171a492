import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject, ResponseObject, ResponsesObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { AppModule } from './app.module';
import { ProblemSchema } from './common/problem.schema';
import { APP_CONFIG } from './config/config.module';
import { AppConfig, loadConfig } from './config/env.schema';

const TAGS: { name: string; description: string }[] = [
  { name: 'events', description: 'Published events and their dated sessions, with availability. Public.' },
  {
    name: 'registrations',
    description: 'Registering for a session (no account), and reading or cancelling the place with its secret manage token. Public.',
  },
  {
    name: 'calendars',
    description: 'iCalendar (RFC 5545) feeds to subscribe to, with stable UIDs, growing SEQUENCEs, ETag and 304. Public.',
  },
  { name: 'staff', description: 'Signing in for a bearer token, signing out, changing passwords; staff users (admin role).' },
  { name: 'staff: events', description: 'Creating, publishing, changing and cancelling events and sessions (editor role).' },
  {
    name: 'staff: registrations',
    description: 'Attendee lists (JSON or CSV), check-in and cancelling on behalf (checkin and editor roles).',
  },
  { name: 'operations', description: 'Liveness and readiness probes.' },
];

/** What each cross-cutting error status means, for responses that do not say it themselves. */
const ERROR_TEXT: Record<string, string> = {
  '400': 'The path is not valid percent-encoded UTF-8',
  '401': 'Missing or invalid bearer token',
  '403': 'The role of the token does not allow this',
  '404': 'Not found (malformed ids included)',
  '409': 'Conflict with the current state',
  '413': 'The body is larger than 100 kB',
  '414': 'A path parameter is longer than 300 characters',
  '415': 'The body is not application/json',
  '422': 'The request cannot be processed',
  '429': 'Too many requests from this client; see Retry-After',
  '500': 'An unexpected error: a bug (no input should cause it); the problem carries no details',
  '503': 'The database is unreachable or too slow, or the service is shutting down; retry after Retry-After',
};

const SUCCESS_TEXT: Record<string, string> = { '200': 'OK', '201': 'Created', '204': 'Done; no body' };

const RETRY_AFTER = { description: 'Seconds to wait before retrying', schema: { type: 'integer' } };

const BODYLESS = new Set(['get', 'head', 'options']);

/** Swagger UI at /docs, the OpenAPI 3 document at /docs-json, naming this instance's PUBLIC_BASE_URL as its server. */
export function setupOpenApi(app: INestApplication): void {
  const { publicBaseUrl } = app.get<AppConfig>(APP_CONFIG);
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app, publicBaseUrl), {
    jsonDocumentUrl: 'docs-json',
    // No validator badge: it would send the page's address to validator.swagger.io, which the CSP forbids anyway.
    swaggerOptions: { validatorUrl: null },
  });
}

/**
 * The document of this application: what @nestjs/swagger reads off the controllers and DTOs, plus
 * the facts that hold for every route and so are stated once here rather than on each handler.
 */
export function buildOpenApiDocument(app: INestApplication, publicBaseUrl: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Eventline')
    .setDescription(
      'Events, registrations and calendar feeds.\n\n' +
        '- Errors are `application/problem+json` (RFC 9457), `type` = `<server>/problems/<slug>`.\n' +
        '- Lists are keyset-paginated: `?limit=` (1..100, default 20) and the opaque `?cursor=` of the previous page; ' +
        'answers are `{ data, nextCursor }`.\n' +
        '- Ids are UUIDs; malformed ids are 404. Timestamps in answers are ISO 8601 in UTC; requests take any offset.\n' +
        '- Unknown body fields are refused (400). A method a path does not answer is 405 with `Allow`.',
    )
    .setVersion('0.1.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer(publicBaseUrl)
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'An opaque token (not a JWT: nothing to decode) from POST /auth/login, valid 12 hours, revoked by POST /auth/logout.',
    });
  for (const tag of TAGS) builder.addTag(tag.name, tag.description);
  const config = builder.build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemSchema] });
  // DocumentBuilder leaves an empty contact; there is no one to name.
  if (document.info.contact && Object.keys(document.info.contact).length === 0) delete document.info.contact;
  const scheme = document.components?.securitySchemes?.bearer;
  // DocumentBuilder says JWT unless told otherwise; the tokens are random, not JWTs.
  if (scheme && 'bearerFormat' in scheme) delete scheme.bearerFormat;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, OperationObject][]) {
      if (typeof operation !== 'object' || !('responses' in operation)) continue;
      completeOperation(path, method, operation);
    }
  }
  return document;
}

function completeOperation(path: string, method: string, operation: OperationObject): void {
  // Redocly and generators read a missing `security` as "unknown": say that public routes are public.
  operation.security ??= [];
  const responses = operation.responses;
  const params = (operation.parameters ?? []) as { in?: string; name?: string; schema?: object }[];
  // Every `{id}` is a UUID (a malformed one is simply not found).
  for (const p of params) if (p.in === 'path' && p.name === 'id') p.schema = { type: 'string', format: 'uuid' };
  const takesBody = !BODYLESS.has(method);
  // The JSON body parser runs on every route that may carry a body, whether the handler reads one or not;
  // a path that is not valid percent-encoded UTF-8 is a 400 wherever a parameter could hold it.
  if (takesBody) {
    addResponse(
      responses,
      '400',
      'Invalid request: malformed JSON, a body that is not a JSON object, or a field that is not valid (listed in errors)',
    );
  } else if (params.some((p) => p.in === 'query')) {
    addResponse(responses, '400', 'A query value that is not valid (listed in errors)');
  } else if (params.some((p) => p.in === 'path')) {
    addResponse(responses, '400');
  }
  // Every `{id}` is a UUID: an unknown or malformed one is a 404. Other path parameters say their own.
  if (params.some((p) => p.in === 'path' && p.name === 'id')) addResponse(responses, '404');
  // The router takes path parameters up to 300 characters.
  if (params.some((p) => p.in === 'path')) addResponse(responses, '414');
  if (takesBody) {
    addResponse(responses, '413');
    addResponse(responses, '415');
  }
  if (path !== '/health/live') addResponse(responses, '503');
  // No input should cause one, but a bug still answers as a problem rather than as nothing.
  addResponse(responses, '500');
  for (const [status, response] of Object.entries(responses) as [string, ResponseObject][]) {
    if (Number(status) < 400) {
      response.description ||= SUCCESS_TEXT[status] ?? 'Success';
      continue;
    }
    // Every error leaves through the one problem filter, whatever the route otherwise produces.
    response.content = { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemSchema) } } };
    if (!response.description) response.description = ERROR_TEXT[status] ?? 'Error';
    if (status === '401') response.headers = { 'WWW-Authenticate': { description: 'Always `Bearer`', schema: { type: 'string' } } };
    if (status === '429' || status === '503') response.headers = { 'Retry-After': RETRY_AFTER };
  }
  operation.responses = sortResponses(responses);
}

function addResponse(responses: ResponsesObject, status: string, description = ERROR_TEXT[status]): void {
  responses[status] ??= { description };
}

function sortResponses(responses: ResponsesObject): ResponsesObject {
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The document without a database: Nest's preview mode registers every controller and DTO but
 * instantiates no provider, so nothing connects. `npm run openapi` and the tests use this.
 */
export async function createOpenApiDocument(publicBaseUrl = loadConfig({}).publicBaseUrl): Promise<OpenAPIObject> {
  const config = { ...loadConfig({ PUBLIC_BASE_URL: publicBaseUrl }), databaseUrl: 'postgres://preview@127.0.0.1:1/preview' };
  const app = await NestFactory.create(AppModule.forRoot(config), new FastifyAdapter(), { preview: true, logger: false });
  try {
    return buildOpenApiDocument(app, publicBaseUrl);
  } finally {
    await app.close();
  }
}

/** How openapi.json is written: two-space JSON and a final newline, so the committed file diffs well. */
export function serializeDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
