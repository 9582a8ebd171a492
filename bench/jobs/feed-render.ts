import type { BenchJob } from '../lib/job';
import type { Measurement } from '../lib/load';
import { median, percentile, sum } from '../lib/stats';

/**
 * What one change costs a feed: an event is edited, then all.ics is fetched once, rendered
 * anew (the service's cache and validators are stale; the baseline renders every time). One
 * request at a time, so the latency is the render's own; "req/s" is renders per second of
 * rendering. In the scale curve this gives the feed's cost against its size (at most 10,000
 * sessions per feed, earliest first, on both targets).
 */
export const feedRender: BenchJob = {
  id: 'feed-render',
  title: 'GET /calendars/all.ics after a change (one at a time)',
  measure: async (ctx, target, duration): Promise<Measurement> => {
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    let stale = 0;
    let bytes = 0;
    let previousEtag: string | null = null;
    const until = Date.now() + duration * 1000;
    // The event of the feed's first session: an edit the feed shows, however many sessions it caps.
    const { rows } = await ctx.db.pool.query<{ id: string }>(
      `SELECT e.id FROM sessions s JOIN events e ON e.id = s.event_id
        WHERE s.starts_at >= now() - interval '30 days' AND e.status = 'published'
        ORDER BY s.starts_at, s.id LIMIT 1`,
    );
    const eventId = rows[0].id;
    while (Date.now() < until) {
      await ctx.db.pool.query(`UPDATE events SET updated_at = clock_timestamp() WHERE id = $1`, [eventId]);
      // The change notification reaches the service within a millisecond or two on loopback.
      await new Promise((r) => setTimeout(r, 20));
      const started = performance.now();
      const res = await fetch(`${target.url}/calendars/all.ics`);
      const body = await res.arrayBuffer();
      latencies.push(performance.now() - started);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const etag = res.headers.get('etag');
      if (res.status !== 200 || etag === previousEtag) stale++;
      previousEtag = etag;
      bytes = body.byteLength;
    }
    const totalSeconds = sum(latencies) / 1000;
    return {
      rps: latencies.length / totalSeconds,
      p50Ms: median(latencies),
      p99Ms: percentile(latencies, 0.99),
      // A 200 that carries the previous ETag was not rendered after the change.
      unexpected: stale,
      errors: 0,
      statuses,
      notes: [`${(bytes / 1024).toFixed(0)} KiB per feed`],
    };
  },
};
