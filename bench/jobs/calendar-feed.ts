import type { BenchJob } from '../lib/job';
import { runLoad } from '../lib/load';

/**
 * The whole-site feed: every session of every published event from 30 days ago, as iCalendar.
 * Each response is hundreds of kB of rendering, so fewer connections: latency stays meaningful.
 */
const FEED_CONNECTIONS = 8;

export const calendarFeed: BenchJob = {
  id: 'calendar-feed',
  title: `GET /calendars/all.ics (${FEED_CONNECTIONS} conns)`,
  measure: (ctx, target, duration) =>
    runLoad(
      target.url,
      { path: '/calendars/all.ics', expect: [200] },
      { connections: Math.min(ctx.config.connections, FEED_CONNECTIONS), duration },
    ),
};
