import { ArgumentsHost, Catch, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ProblemFilter } from '../common/problem.filter';
import { toProblem } from '../common/problem';
import { setPageHeaders } from './page-headers';

/** The pages answer errors as pages: the same statuses and words as the API's problems, in HTML. */
@Catch()
export class PageErrorFilter extends ProblemFilter {
  private readonly pageLogger = new Logger('PageErrorFilter');

  override catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { problem, headers } = toProblem(error, this.config.publicBaseUrl);
    if (problem.status === 500) this.pageLogger.error(error instanceof Error ? error.stack : String(error));
    if (reply.sent) return;
    const message = problem.status === 500 ? 'Something went wrong on our side. Please try again shortly.' : problem.detail;
    void setPageHeaders(reply).code(problem.status).headers(headers).view('error.eta', { title: problem.title, message });
  }
}
