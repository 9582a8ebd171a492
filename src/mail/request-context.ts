import { AsyncLocalStorage } from 'node:async_hooks';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';

const requestIds = new AsyncLocalStorage<string>();

/** The id of the HTTP request being handled, if any: stored on outbox rows so failures name their cause. */
export function currentRequestId(): string | null {
  return requestIds.getStore() ?? null;
}

/**
 * Runs each handler with its request id in AsyncLocalStorage, so code deep in a transaction can
 * read it without every service passing it along. Nest binds the handler to the async context
 * current when `next.handle()` is called, so the store reaches the whole handler.
 */
@Injectable()
export class RequestIdInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const id = context.switchToHttp().getRequest<FastifyRequest>().id;
    return typeof id === 'string' ? requestIds.run(id, () => next.handle()) : next.handle();
  }
}
