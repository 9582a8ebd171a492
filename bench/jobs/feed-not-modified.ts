import type { BenchJob } from '../lib/job';
import { paired, runLoad } from '../lib/load';
import type { TargetName } from '../lib/processes';

const etags = new Map<TargetName, string>();

/**
 * A calendar client polling an unchanged feed: `If-None-Match` with the feed's current ETag must
 * answer 304 without rendering, so this should land near GET /health/live, not near the feed.
 * Each round also runs /health/live on the same target right after (the paired ratio).
 */
export const feedNotModified: BenchJob = {
  id: 'feed-304',
  title: 'GET /calendars/all.ics, If-None-Match (304)',
  beforeRun: async (_ctx, target) => {
    const res = await fetch(`${target.url}/calendars/all.ics`);
    await res.arrayBuffer();
    etags.set(target.name, res.headers.get('etag') ?? '"no-etag-given"');
  },
  measure: (ctx, target, duration) => {
    const options = { connections: ctx.config.connections, duration };
    return paired(
      target,
      () =>
        runLoad(target.url, { path: '/calendars/all.ics', headers: { 'if-none-match': etags.get(target.name)! }, expect: [304] }, options),
      { title: 'GET /health/live', run: () => runLoad(target.url, { path: '/health/live', expect: [200] }, options) },
    );
  },
};
