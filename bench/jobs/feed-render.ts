import type { BenchJob, JobContext, Variant } from '../lib/job';
import type { Measurement } from '../lib/load';
import type { ServerProcess, TargetName } from '../lib/processes';
import { differingFeed } from '../lib/same-answer';
import { median, percentile, sum } from '../lib/stats';

const PATH = '/calendars/all.ics';

/**
 * What rendering a feed costs, like for like: before every request the event of the feed's first
 * session is edited, so the service's validators and cached body are stale (its change listener
 * hears of it within a millisecond or two on loopback; 20 ms are allowed) and it must query and
 * render anew; the baseline renders every request anyway. One request at a time, so the latency
 * is the render's own; "renders/s" is renders per second of rendering. A 200 that carries the
 * ETag of the one before was not rendered anew and breaks the run.
 */
async function renderAfterChanges(ctx: JobContext, target: ServerProcess, duration: number): Promise<Measurement> {
  const { rows } = await ctx.db.pool.query<{ id: string }>(
    `SELECT e.id FROM sessions s JOIN events e ON e.id = s.event_id
      WHERE s.starts_at >= now() - interval '720 hours' AND e.status IN ('published', 'cancelled')
      ORDER BY s.starts_at, s.id LIMIT 1`,
  );
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let stale = 0;
  let bytes = 0;
  let previousEtag: string | null = null;
  const until = Date.now() + duration * 1000;
  while (Date.now() < until) {
    await ctx.db.pool.query(`UPDATE events SET updated_at = clock_timestamp() WHERE id = $1`, [rows[0].id]);
    await new Promise((r) => setTimeout(r, 20));
    const started = performance.now();
    const res = await fetch(`${target.url}${PATH}`);
    const body = await res.arrayBuffer();
    latencies.push(performance.now() - started);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    const etag = res.headers.get('etag');
    if (res.status === 200 && etag === previousEtag) stale++;
    previousEtag = etag;
    bytes = body.byteLength;
  }
  const unexpected = latencies.length - (statuses['200'] ?? 0);
  return {
    requests: latencies.length,
    seconds: sum(latencies) / 1000,
    rps: latencies.length / (sum(latencies) / 1000),
    p50Ms: median(latencies),
    p99Ms: percentile(latencies, 0.99),
    statuses,
    unexpected,
    errors: 0,
    ...(stale > 0 ? { broken: `${stale} answers were not rendered after the change (same ETag)` } : {}),
    notes: [`${(bytes / 1024).toFixed(0)} KiB per feed`],
  };
}

const variant = (id: TargetName, label: string): Variant => ({ id, label, target: id, run: renderAfterChanges });

export const feedRender: BenchJob = {
  id: 'feed-render',
  title: `GET ${PATH} rendered after a change (one at a time)`,
  kind: 'latency',
  variants: [variant('service', 'service'), variant('baseline', 'baseline (same calendar)')],
  ratios: [{ of: 'service', to: 'baseline', label: 'service / baseline cold render (same calendar)' }],
  differingAnswer: (_ctx, targets) => differingFeed(targets, PATH),
};
