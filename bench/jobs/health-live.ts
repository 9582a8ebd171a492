import type { BenchJob } from '../lib/job';
import { runLoad } from '../lib/load';

/** The floor: the cheapest route, no database. Read the 304 job against this one. */
export const healthLive: BenchJob = {
  id: 'health-live',
  title: 'GET /health/live',
  measure: (ctx, target, duration) =>
    runLoad(target.url, { path: '/health/live', expect: [200] }, { connections: ctx.config.connections, duration }),
};
