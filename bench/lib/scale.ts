import { compare, type JobSummary } from './compare';
import type { BenchJob, JobContext } from './job';
import type { ServerProcess } from './processes';
import { countLoadedSessions, loadSessions } from './seed';
import { median } from './stats';
import { lineChart } from './svg';

export interface ScalePoint {
  sessions: number;
  jobs: JobSummary[];
}

/**
 * Grows one database through `sizes` (ascending) and re-runs `jobs` at each size against the
 * same running targets: keyset reads over an index should stay flat as the table grows.
 */
export async function scaleCurve(
  jobs: BenchJob[],
  sizes: number[],
  ctx: JobContext,
  targets: ServerProcess[],
  log: (line: string) => void,
): Promise<ScalePoint[]> {
  const points: ScalePoint[] = [];
  for (const size of [...sizes].sort((a, b) => a - b)) {
    if ((await countLoadedSessions(ctx.db.pool)) < size) {
      const started = Date.now();
      log(`\nscale: loading up to ${size} sessions...`);
      await loadSessions(ctx.db.pool, size);
      log(`scale: loaded in ${((Date.now() - started) / 1000).toFixed(0)}s`);
    }
    const loaded = await countLoadedSessions(ctx.db.pool);
    const summaries: JobSummary[] = [];
    for (const job of jobs) {
      log(`\nscale ${loaded} sessions, ${job.id}`);
      summaries.push(await compare(job, ctx, targets, log));
    }
    points.push({ sessions: loaded, jobs: summaries });
  }
  return points;
}

const COLORS: Record<string, string> = { service: '#d62728', baseline: '#1f77b4' };

/** Jobs charted by latency rather than throughput (one request at a time: its latency is its cost). */
const LATENCY_CHARTS = new Set(['feed-render']);

/** One chart per job: median req/s (or p50 ms) per target against the number of sessions. */
export function scaleCharts(points: ScalePoint[]): { jobId: string; svg: string }[] {
  const jobIds = [...new Set(points.flatMap((p) => p.jobs.map((j) => j.id)))];
  return jobIds.map((jobId) => {
    const title = points.flatMap((p) => p.jobs).find((j) => j.id === jobId)?.title ?? jobId;
    const latency = LATENCY_CHARTS.has(jobId);
    const series = (['service', 'baseline'] as const)
      .map((name) => ({
        name,
        color: COLORS[name],
        points: points.flatMap((p): [number, number][] => {
          const t = p.jobs.find((j) => j.id === jobId)?.targets[name];
          const value = t && (latency ? median(t.rounds.map((r) => r.p50Ms)) : t.rps);
          return value !== undefined && !Number.isNaN(value) ? [[p.sessions, value]] : [];
        }),
      }))
      .filter((s) => s.points.length > 0);
    return {
      jobId,
      svg: lineChart({
        title: `${title}: ${latency ? 'p50 ms' : 'req/s'} as sessions grow`,
        xLabel: 'sessions in the database (log scale)',
        yLabel: latency ? 'p50 latency, ms (median of rounds)' : 'requests per second (median)',
        series,
      }),
    };
  });
}
