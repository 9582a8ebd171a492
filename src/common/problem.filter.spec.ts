import type { ArgumentsHost } from '@nestjs/common';
import type { AppConfig } from '../config/env.schema';
import { NotFoundError, ServiceUnavailableError } from './errors';
import { ProblemFilter } from './problem.filter';

/** A request whose logger is Fastify's child for it (bound to its id), and a reply that records what is sent. */
function exchange() {
  const log = { error: jest.fn(), warn: jest.fn() };
  const reply = { sent: false, status: jest.fn(), headers: jest.fn(), type: jest.fn(), send: jest.fn() };
  for (const m of ['status', 'headers', 'type'] as const) reply[m].mockReturnValue(reply);
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ id: 'req-42', log }), getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  return { log, reply, host };
}

describe('ProblemFilter', () => {
  const filter = new ProblemFilter({ publicBaseUrl: 'http://eventline.test' } as AppConfig);

  it("logs a 500 with its error on the request's logger, so the line carries the request id", () => {
    const { log, reply, host } = exchange();
    const error = new Error('boom');
    filter.catch(error, host);
    expect(log.error).toHaveBeenCalledWith({ err: error }, 'Unhandled error');
    expect(reply.status).toHaveBeenCalledWith(500);
  });

  it('warns of other 5xx and stays quiet on 4xx', () => {
    const unavailable = exchange();
    filter.catch(new ServiceUnavailableError('busy'), unavailable.host);
    expect(unavailable.log.warn).toHaveBeenCalledTimes(1);
    expect(unavailable.log.error).not.toHaveBeenCalled();
    const missing = exchange();
    filter.catch(new NotFoundError('Session'), missing.host);
    expect([missing.log.warn.mock.calls.length, missing.log.error.mock.calls.length]).toEqual([0, 0]);
  });
});
