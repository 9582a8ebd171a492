import type { BenchJob } from '../lib/job';
import { runLoad } from '../lib/load';
import { resetSession } from '../lib/seed';

let sequence = 0;

/**
 * Everyone registers for the same session: every request locks the same sessions row, so this
 * measures the registration transaction's length under contention. Each request a new email;
 * `keyed`: each also with its own Idempotency-Key (claiming it, storing the encrypted answer),
 * so the two jobs together give what key handling costs (the report's "key cost").
 */
function hotSessionJob(keyed: boolean): BenchJob {
  return {
    id: keyed ? 'keyed-registration' : 'hot-registration',
    title: keyed
      ? 'POST registration with a fresh Idempotency-Key (one hot session)'
      : 'POST /sessions/:id/registrations (one hot session)',
    beforeRun: (ctx) => resetSession(ctx.db.pool, ctx.data.hotSessionId),
    measure: (ctx, target, duration) => {
      const run = `${target.name}-${Date.now().toString(36)}`;
      return runLoad(
        target.url,
        {
          method: 'POST',
          path: `/sessions/${ctx.data.hotSessionId}/registrations`,
          body: () => JSON.stringify({ name: 'Bench Attendee', email: `r${++sequence}.${run}@bench.example.com` }),
          // The body's counter has just moved: the key names this very request.
          ...(keyed ? { perRequestHeaders: () => ({ 'idempotency-key': `bench-${run}-${sequence}` }) } : {}),
          expect: [201],
        },
        { connections: ctx.config.connections, duration },
      );
    },
  };
}

export const hotRegistration = hotSessionJob(false);
export const keyedRegistration = hotSessionJob(true);
