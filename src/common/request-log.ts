import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Fastify's request log, one line per request: "request completed" (or "request errored") at
 * info, with the request (method, URL, client), the status and the time taken. Fastify also
 * logs each request as it arrives; that line is debug here: at info it doubled the cost of
 * logging for what the completed line says anyway. LOG_LEVEL=debug shows requests still running.
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
