/**
 * `npm run bench`: loads a database, starts the service (if built) and the raw baseline on it,
 * runs every job against both, alternating, and prints medians and service/baseline ratios;
 * then grows the database for the scale curve. Results go to bench/results/.
 * Settings (environment): BENCH_DURATION, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_SESSIONS,
 * BENCH_WARMUP, BENCH_SCALE, BENCH_JOBS (or job ids as arguments), BENCH_DATABASE_URL.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JOBS } from './jobs';
import { feedRender } from './jobs/feed-render';
import { sessionsPage } from './jobs/sessions-page';
import { compare, type JobSummary } from './lib/compare';
import { loadConfig } from './lib/config';
import { startBenchDatabase } from './lib/database';
import type { JobContext } from './lib/job';
import { REPO_ROOT, type ServerProcess, SERVICE_ENTRY, serviceIsBuilt, startBaseline, startService } from './lib/processes';
import { formatTable, type MemorySummary } from './lib/report';
import { scaleCharts, scaleCurve, type ScalePoint } from './lib/scale';
import { createFixtures, loadSessions } from './lib/seed';

/** The jobs re-run at every size of the scale curve: the listing must stay flat; the feed's cost follows its size. */
const SCALE_JOBS = [sessionsPage, feedRender];
const SCALE_ID = 'scale';
const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

const log = (line: string): void => console.error(line);

async function main(): Promise<void> {
  const config = loadConfig();
  const known = [...JOBS.map((j) => j.id), SCALE_ID];
  const unknown = config.jobs.filter((id) => !known.includes(id));
  if (unknown.length > 0) throw new Error(`Unknown job(s): ${unknown.join(', ')}. Jobs: ${known.join(', ')}`);
  const selected = (id: string): boolean => config.jobs.length === 0 || config.jobs.includes(id);
  const jobs = JOBS.filter((j) => selected(j.id));
  const scale = selected(SCALE_ID) ? config.scale : [];
  const withService = serviceIsBuilt();
  if (!withService) log(`No service build at ${SERVICE_ENTRY}: measuring the baseline only (run \`npm run build\` first).`);

  log(`database: ${config.databaseUrl ? 'BENCH_DATABASE_URL (wiped)' : 'embedded PostgreSQL in a temp dir'}`);
  const db = await startBenchDatabase(config.databaseUrl);
  const targets: ServerProcess[] = [];
  const cleanup = once(async () => {
    await Promise.allSettled(targets.map((t) => t.stop()));
    await db.close();
  });
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    log(`loading ${config.sessions} sessions...`);
    await loadSessions(db.pool, config.sessions);
    const ctx: JobContext = { config, db, data: await createFixtures(db.pool) };
    if (withService) targets.push(await startService({ DATABASE_URL: db.url }));
    targets.push(await startBaseline({ DATABASE_URL: db.url }));
    log(`targets: ${targets.map((t) => `${t.name} ${t.url} (pid ${t.pid})`).join(', ')}`);
    log(`${config.rounds} rounds x ${config.duration}s, ${config.connections} connections, targets alternating`);

    const summaries: JobSummary[] = [];
    for (const job of jobs) {
      log(`\n${job.id}: ${job.title}`);
      await job.prepare?.(ctx);
      summaries.push(await compare(job, ctx, targets, log));
    }
    const scalePoints = scale.length > 0 ? await scaleCurve(SCALE_JOBS, scale, ctx, targets, log) : [];
    const memory: MemorySummary = {
      service: targets.find((t) => t.name === 'service')?.peakRssMiB() ?? null,
      baseline: targets.find((t) => t.name === 'baseline')?.peakRssMiB() ?? null,
    };

    const report = [
      `${config.sessions} sessions, ${config.rounds} rounds x ${config.duration}s, ${config.connections} connections; medians; ratio = service / baseline`,
      formatTable(summaries, memory),
      ...keyCost(summaries),
      ...scalePoints.map((p) => `\nscale: ${p.sessions} sessions\n${formatTable(p.jobs, null)}`),
      ...(withService ? [] : ['\n(service not built: baseline only)']),
    ].join('\n');
    console.log(`\n${report}`);
    writeResults(report, scalePoints, {
      config: { ...config, databaseUrl: config.databaseUrl ? '(given)' : '(embedded)' },
      withService,
      summaries,
      scalePoints,
      memory,
    });
  } finally {
    await cleanup();
  }
}

function writeResults(report: string, scalePoints: ScalePoint[], results: object): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const at = new Date().toISOString();
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify({ at, node: process.version, ...results }, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, 'latest.txt'), `${at}, node ${process.version}\n${report}\n`);
  for (const chart of scaleCharts(scalePoints)) writeFileSync(join(RESULTS_DIR, `scale-${chart.jobId}.svg`), chart.svg);
  log(`\nresults: ${RESULTS_DIR}`);
}

/** What Idempotency-Key handling costs each target: 1 - keyed / unkeyed throughput, paired per round. */
function keyCost(summaries: JobSummary[]): string[] {
  const keyed = summaries.find((j) => j.id === 'keyed-registration');
  if (!keyed) return [];
  const cost = (name: 'service' | 'baseline'): string => {
    const ratio = keyed.targets[name]?.pairedRatio;
    return ratio != null ? `${name} ${((1 - ratio) * 100).toFixed(0)}%` : `${name} -`;
  };
  return [`\nkey cost (1 - keyed / unkeyed registration throughput, paired): ${cost('service')}, ${cost('baseline')}`];
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
