import { type JobSummary, runJob } from './compare';
import type { BenchJob, JobContext } from './job';
import type { ServerProcess } from './processes';
import { countLoadedSessions, loadSessions, settleLoadedData } from './seed';
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
      await settleLoadedData(ctx.db.pool);
      log(`scale: loaded and analysed in ${((Date.now() - started) / 1000).toFixed(0)}s`);
    }
    const loaded = await countLoadedSessions(ctx.db.pool);
    const summaries: JobSummary[] = [];
    for (const job of jobs) {
      log(`\nscale ${loaded} sessions, ${job.id}`);
      summaries.push(await runJob(job, ctx, targets, log));
    }
    points.push({ sessions: loaded, jobs: summaries });
  }
  return points;
}

const COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd'];

/** Jobs charted by latency rather than throughput (one request at a time: its latency is its cost). */
const LATENCY_CHARTS = new Set(['feed-render']);

/** One chart per job: median req/s (or p50 ms) per variant against the number of sessions. */
export function scaleCharts(points: ScalePoint[]): { jobId: string; svg: string }[] {
  const jobIds = [...new Set(points.flatMap((p) => p.jobs.map((j) => j.id)))];
  return jobIds.map((jobId) => {
    const jobs = points.flatMap((p) => p.jobs).filter((j) => j.id === jobId);
    const title = jobs[0]?.title ?? jobId;
    const latency = LATENCY_CHARTS.has(jobId);
    const variants = [...new Map(jobs.flatMap((j) => j.variants.map((v) => [v.id, v.label] as const))).entries()];
    const series = variants
      .map(([id, label], i) => ({
        name: label,
        color: COLORS[i % COLORS.length],
        points: points.flatMap((p): [number, number][] => {
          const v = p.jobs.find((j) => j.id === jobId)?.variants.find((x) => x.id === id);
          const value = v && (latency ? v.p50Ms : v.rps.median);
          return value !== undefined && !Number.isNaN(value) ? [[p.sessions, value]] : [];
        }),
      }))
      .filter((s) => s.points.length > 0);
    return {
      jobId,
      svg: lineChart({
        title: `${title}: ${latency ? 'p50 ms' : 'req/s'} as sessions grow`,
        xLabel: 'sessions in the database (log scale)',
        yLabel: latency ? 'p50 latency, ms (median of rounds)' : 'requests per second (median of rounds)',
        series,
      }),
    };
  });
}
