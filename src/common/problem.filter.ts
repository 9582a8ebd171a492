import { ArgumentsHost, Catch, ExceptionFilter, Inject, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { toProblem } from './problem';

/** The one place where errors become HTTP answers (application/problem+json, RFC 9457). */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  constructor(@Inject(APP_CONFIG) protected readonly config: AppConfig) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { problem, headers } = toProblem(error, this.config.publicBaseUrl);
    if (problem.status >= 500) {
      if (problem.status === 500) this.logger.error(error instanceof Error ? error.stack : String(error));
      else this.logger.warn(`${problem.title}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (reply.sent) return;
    reply.status(problem.status).headers(headers).type('application/problem+json').send(problem);
  }
}
