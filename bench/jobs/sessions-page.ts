import type { BenchJob } from '../lib/job';
import { runLoad } from '../lib/load';

/** The public listing's first page: a keyset read joined to events, mapped to JSON. */
export const sessionsPage: BenchJob = {
  id: 'sessions-page',
  title: 'GET /sessions?limit=20',
  measure: (ctx, target, duration) =>
    runLoad(target.url, { path: '/sessions?limit=20', expect: [200] }, { connections: ctx.config.connections, duration }),
};
