import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { AppConfig } from './config/env.schema';
import { useJsonBodyParser } from './common/json-body';
import { useMethodNotAllowed } from './common/method-not-allowed';
import { httpServerOptions, registerHttpSecurity, SECURITY_HEADERS } from './common/http-security';
import { loggerOptions } from './common/log-redaction';
import { RequestLogController } from './common/request-log';
import { PinoNestLogger } from './common/nest-logger';
import { toProblem } from './common/problem';
import { requestIdOf } from './common/request-id';
import { setupOpenApi } from './openapi';
import { setupPages } from './pages/pages.module';
import { prepareDrain } from './shutdown';

export const BODY_LIMIT = 100 * 1024;

/** Seams for tests: where log lines go (stdout by default) and a shorter request timeout. */
export interface AppOptions {
  logStream?: DestinationStream;
  requestTimeoutMs?: number;
}

/** Builds the whole application (used by main.ts and by the e2e tests alike). */
export async function createApp(config: AppConfig & { databaseUrl: string }, options: AppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    ...httpServerOptions(config.publicBaseUrl, options.requestTimeoutMs),
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 300 },
    // request.id: the caller's X-Request-Id when sane, else a UUID.
    genReqId: requestIdOf,
    // request.ip (what the rate limits key on) comes from X-Forwarded-For only via these proxies.
    trustProxy: config.trustProxy,
    // Fastify's pino: JSON lines, the request id on every line of a request, secrets redacted.
    logger: loggerOptions(config.logLevel, options.logStream),
    logController: new RequestLogController(),
    // No Nest middleware here (hooks do that work): without middie, no hook of its runs per request.
    skipMiddie: true,
    // prepareDrain answers requests that arrive while closing, as problem+json.
    return503OnClosing: false,
    // Keep-alive clients are not allowed to hold a shutdown open.
    forceCloseConnections: 'idle',
    // Errors raised before routing (e.g. a path that is not valid percent-encoding) skip Nest's filters.
    frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply) => {
      const { problem, headers } = toProblem(error, config.publicBaseUrl);
      void reply
        .status(problem.status)
        .headers({ ...SECURITY_HEADERS, ...headers })
        .type('application/problem+json')
        .send(problem);
    },
  });
  const fastify = adapter.getInstance();
  useMethodNotAllowed(fastify, config.publicBaseUrl);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(fastify.log),
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  registerHttpSecurity(fastify, config.corsOrigins);
  prepareDrain(fastify, config.publicBaseUrl);
  setupOpenApi(app);
  await app.init();
  // Only JSON is a body here: text/plain is a 415, not a string to validate, and so are HTML
  // forms (Nest adds their parser in init()), which any web page can post across sites without
  // a CORS preflight.
  fastify.removeContentTypeParser(['text/plain', 'application/x-www-form-urlencoded']);
  useJsonBodyParser(fastify, BODY_LIMIT);
  // The attendee pages' own two form routes, and only those, take form bodies.
  setupPages(app);
  return app;
}
