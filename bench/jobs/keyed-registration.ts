import type { BenchJob } from '../lib/job';
import { runLoad } from '../lib/load';
import { resetSession } from '../lib/seed';

let sequence = 0;

/**
 * The hot-session registration again, each request with its own Idempotency-Key: claiming the
 * key, storing the encrypted answer. Compared with `hot-registration`, this is what key handling
 * costs (the report prints it as "key cost").
 */
export const keyedRegistration: BenchJob = {
  id: 'keyed-registration',
  title: 'POST registration with a fresh Idempotency-Key (one hot session)',
  beforeRun: (ctx) => resetSession(ctx.db.pool, ctx.data.hotSessionId),
  measure: (ctx, target, duration) => {
    const run = `${target.name}-${Date.now().toString(36)}`;
    return runLoad(
      target.url,
      {
        method: 'POST',
        path: `/sessions/${ctx.data.hotSessionId}/registrations`,
        body: () => JSON.stringify({ name: 'Bench Attendee', email: `k${++sequence}.${run}@bench.example.com` }),
        // The body's counter has just moved: the key names this very request.
        perRequestHeaders: () => ({ 'idempotency-key': `bench-${run}-${sequence}` }),
        expect: [201],
      },
      { connections: ctx.config.connections, duration },
    );
  },
};
