import { ArgumentsHost, Catch, ExceptionFilter, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { toProblem } from './problem';

/**
 * A 500 with its stack, another 5xx as a warning; on the request's own logger, so the line
 * carries the request id that the client got in X-Request-Id.
 */
export function logServerError(request: FastifyRequest, error: unknown, status: number, title: string): void {
  if (status === 500) request.log.error({ err: error }, 'Unhandled error');
  else if (status > 500) request.log.warn(`${title}: ${error instanceof Error ? error.message : String(error)}`);
}

/** The one place where errors become HTTP answers (application/problem+json, RFC 9457). */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Inject(APP_CONFIG) protected readonly config: AppConfig) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers } = toProblem(error, this.config.publicBaseUrl);
    logServerError(http.getRequest<FastifyRequest>(), error, problem.status, problem.title);
    if (reply.sent) return;
    reply.status(problem.status).headers(headers).type('application/problem+json').send(problem);
  }
}
