import { ArgumentsHost, Catch } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { logServerError, ProblemFilter } from '../common/problem.filter';
import { toProblem } from '../common/problem';
import { setPageHeaders } from './page-headers';

/** The pages answer errors as pages: the same statuses and words as the API's problems, in HTML. */
@Catch()
export class PageErrorFilter extends ProblemFilter {
  override catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers } = toProblem(error, this.config.publicBaseUrl);
    logServerError(http.getRequest<FastifyRequest>(), error, problem.status, problem.title);
    if (reply.sent) return;
    const message = problem.status === 500 ? 'Something went wrong on our side. Please try again shortly.' : problem.detail;
    void setPageHeaders(reply).code(problem.status).headers(headers).view('error.eta', { title: problem.title, message });
  }
}
