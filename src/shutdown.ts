import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { ServiceUnavailableError } from './common/errors';
import { toProblem } from './common/problem';

/** From the first signal to a forced exit: inside the 10 s that the contract (and orchestrators) allow. */
const DRAIN_DEADLINE_MS = 9000;
/**
 * Once a close begins, how long the listener still takes connections in, and requests already on
 * their way (in socket buffers, in the listen queue) are read and answered, before it closes:
 * closing it at once resets them (ECONNRESET), though the client had sent them.
 */
const GRACE_MS = 250;
/** While draining, how often connections that have gone idle are closed. */
const REAP_IDLE_EVERY_MS = 100;

/**
 * Makes `fastify.close()` a drain. Node's `server.close()` closes the connections idle at that
 * moment only: a kept-alive connection whose request was still running stays open after its
 * answer (for Fastify's 72 s keep-alive), and the close never completes. So, once closing:
 * - each answer says `Connection: close`, unless the client already sent another request on that
 *   connection (pipelining): that one is answered too, and the last answer closes;
 * - for GRACE_MS requests are still served as usual; those that arrive later (on a connection
 *   still open) answer 503 problem+json with `Retry-After` (Fastify's own return503OnClosing
 *   answers in another format) and `Connection: close`;
 * - connections that went idle anyway are closed every 100 ms.
 */
export function prepareDrain(fastify: FastifyInstance, publicBaseUrl: string, graceMs = GRACE_MS): void {
  let closing = false;
  let refusing = false;
  let reaper: NodeJS.Timeout | undefined;
  const unanswered = new WeakMap<Socket, number>();

  fastify.addHook('onRequest', (request, reply, done) => {
    const socket = request.raw.socket;
    unanswered.set(socket, (unanswered.get(socket) ?? 0) + 1);
    if (!refusing) return done();
    const { problem, headers } = toProblem(new ServiceUnavailableError('The service is shutting down; try again shortly'), publicBaseUrl);
    void reply
      .status(503)
      .headers({ ...headers, Connection: 'close' })
      .type('application/problem+json')
      .send(problem);
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (closing && (unanswered.get(request.raw.socket) ?? 0) <= 1) void reply.header('Connection', 'close');
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, _reply, done) => {
    const socket = request.raw.socket;
    // Never below 0: a hook registered before ours may have answered without ours running.
    unanswered.set(socket, Math.max(0, (unanswered.get(socket) ?? 0) - 1));
    done();
  });
  // Runs before Fastify's server.close(), which closes the listener and the idle connections.
  fastify.addHook('preClose', (done) => {
    closing = true;
    setTimeout(
      () =>
        afterPolls(2, () => {
          refusing = true;
          reaper = setInterval(() => fastify.server.closeIdleConnections(), REAP_IDLE_EVERY_MS).unref();
          done();
        }),
      graceMs,
    );
  });
  fastify.addHook('onClose', (_instance, done) => {
    clearInterval(reaper);
    done();
  });
}

/**
 * Runs `then` once the loop has polled `turns` more times. A loop that stalled past the grace (a
 * slow log pipe, a long computation) has not yet accepted the connections that queued meanwhile
 * (first poll), nor read their requests (second): they reached us within the grace.
 */
function afterPolls(turns: number, then: () => void): void {
  if (turns === 0) return then();
  setImmediate(() => afterPolls(turns - 1, then));
}

/**
 * SIGTERM or SIGINT, once or repeated (npm forwards its group's signal to its child; systemd and
 * Ctrl-C signal every process of the group), starts one drain: every request received is
 * answered, then the modules stop, then the database; exit 0. Past the deadline, exit 1.
 */
export function drainOnSignals(app: NestFastifyApplication, stopDatabase: () => Promise<void>): void {
  const logger = new Logger('Shutdown');
  let draining = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (draining) return;
    draining = true;
    logger.log(`${signal}: finishing the requests received, then stopping`);
    setTimeout(() => {
      logger.error(`Shutdown did not finish within ${DRAIN_DEADLINE_MS / 1000} s (requests still running); exiting`);
      process.exit(1);
    }, DRAIN_DEADLINE_MS);
    drain(app, stopDatabase).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

async function drain(app: NestFastifyApplication, stopDatabase: () => Promise<void>): Promise<void> {
  // The HTTP server first: Nest's close() runs the modules' destroy hooks (the feeds' change
  // listener, the key sweeper) before it closes the server, under requests still running.
  await app.getHttpAdapter().close();
  await app.close();
  await stopDatabase();
}
