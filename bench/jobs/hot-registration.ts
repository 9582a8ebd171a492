import type { BenchJob } from '../lib/job';
import { runLoad } from '../lib/load';
import { resetSession } from '../lib/seed';

let sequence = 0;

/**
 * Everyone registers for the same session: every request locks the same sessions row, so this
 * measures the registration transaction's length under contention. Each request a new email.
 */
export const hotRegistration: BenchJob = {
  id: 'hot-registration',
  title: 'POST /sessions/:id/registrations (one hot session)',
  beforeRun: (ctx) => resetSession(ctx.db.pool, ctx.data.hotSessionId),
  measure: (ctx, target, duration) => {
    const run = `${target.name}-${Date.now().toString(36)}`;
    return runLoad(
      target.url,
      {
        method: 'POST',
        path: `/sessions/${ctx.data.hotSessionId}/registrations`,
        body: () => JSON.stringify({ name: 'Bench Attendee', email: `r${++sequence}.${run}@bench.example.com` }),
        expect: [201],
      },
      { connections: ctx.config.connections, duration },
    );
  },
};
