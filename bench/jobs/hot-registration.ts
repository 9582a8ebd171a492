import type { BenchJob, JobContext } from '../lib/job';
import { type Measurement, paired, runLoad } from '../lib/load';
import type { ServerProcess } from '../lib/processes';
import { resetSession } from '../lib/seed';

let sequence = 0;

/**
 * Everyone registers for the same session: every request locks the same sessions row, so this
 * measures the registration transaction's length under contention. Each request a new email;
 * `keyed`: each also with its own Idempotency-Key (claiming it, storing the encrypted answer).
 */
function registrationLoad(ctx: JobContext, target: ServerProcess, duration: number, keyed: boolean): Promise<Measurement> {
  const run = `${target.name}-${keyed ? 'k' : 'u'}-${Date.now().toString(36)}`;
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
}

export const hotRegistration: BenchJob = {
  id: 'hot-registration',
  title: 'POST /sessions/:id/registrations (one hot session)',
  beforeRun: (ctx) => resetSession(ctx.db.pool, ctx.data.hotSessionId),
  measure: (ctx, target, duration) => registrationLoad(ctx, target, duration, false),
};

/**
 * The same with a fresh Idempotency-Key per request, and in each round the unkeyed load again
 * right after on the same target: 1 - the paired ratio is what key handling costs.
 */
export const keyedRegistration: BenchJob = {
  id: 'keyed-registration',
  title: 'POST registration with a fresh Idempotency-Key (one hot session)',
  beforeRun: (ctx) => resetSession(ctx.db.pool, ctx.data.hotSessionId),
  measure: (ctx, target, duration) =>
    paired(target, () => registrationLoad(ctx, target, duration, true), {
      title: 'the same without a key',
      run: async () => {
        await resetSession(ctx.db.pool, ctx.data.hotSessionId);
        return registrationLoad(ctx, target, duration, false);
      },
    }),
};
