/**
 * `npm run bench`: loads a database, starts the service (if built) and the raw baseline on it,
 * runs every job with wrk, its variants alternating round by round, and prints per-round spreads,
 * ratios, CPU per request and peak memory; then grows the database for the scale curve. Results
 * go to bench/results/. Settings (environment): BENCH_DURATION, BENCH_ROUNDS, BENCH_CONNECTIONS,
 * BENCH_THREADS, BENCH_SESSIONS, BENCH_RUSH, BENCH_WARMUP, BENCH_SCALE, BENCH_JOBS (or job ids as
 * arguments), BENCH_DATABASE_URL, BENCH_WRK.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JOBS } from './jobs';
import { feedRender } from './jobs/feed-render';
import { sessionsPage } from './jobs/sessions-page';
import { type JobSummary, runJob } from './lib/compare';
import { loadConfig } from './lib/config';
import { PostgresCpu } from './lib/cpu';
import { startBenchDatabase } from './lib/database';
import type { JobContext } from './lib/job';
import { REPO_ROOT, type ServerProcess, SERVICE_ENTRY, serviceIsBuilt, startBaseline, startService } from './lib/processes';
import { formatJob, formatMemory, formatRatios, type MemorySummary } from './lib/report';
import { scaleCharts, scaleCurve, type ScalePoint } from './lib/scale';
import { createFixtures, loadSessions, settleLoadedData } from './lib/seed';

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
  if (config.schemaTrial) log(`schema trial after the migrations (not the project's schema): ${config.schemaTrial}`);
  const db = await startBenchDatabase(config.databaseUrl, config.schemaTrial);
  const targets: ServerProcess[] = [];
  const cleanup = once(async () => {
    await Promise.allSettled(targets.map((t) => t.stop()));
    await db.close();
  });
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    log(`loading ${config.sessions} sessions...`);
    await loadSessions(db.pool, config.sessions);
    const data = await createFixtures(db.pool);
    await settleLoadedData(db.pool);
    const postgresCpu = await PostgresCpu.attach(db.pool, !config.databaseUrl);
    const ctx: JobContext = { config, db, data, postgresCpu };
    if (withService) targets.push(await startService({ DATABASE_URL: db.url }));
    targets.push(await startBaseline({ DATABASE_URL: db.url }));
    log(`targets: ${targets.map((t) => `${t.name} ${t.url} (pid ${t.pid}, node flags: ${t.nodeFlags.join(' ') || 'none'})`).join(', ')}`);
    log(
      `${config.rounds} rounds x ${config.duration}s, wrk ${config.threads} thread(s) ${config.connections} connections, variants rotating`,
    );

    const summaries: JobSummary[] = [];
    for (const job of jobs) {
      log(`\n${job.id}: ${job.title}`);
      summaries.push(await runJob(job, ctx, targets, log));
    }
    const scalePoints = scale.length > 0 ? await scaleCurve(SCALE_JOBS, scale, ctx, targets, log) : [];
    const memory: MemorySummary = {
      service: targets.find((t) => t.name === 'service')?.rss.peakMiB() ?? null,
      baseline: targets.find((t) => t.name === 'baseline')?.rss.peakMiB() ?? null,
    };

    const allJobs = [...summaries, ...scalePoints.flatMap((p) => p.jobs.map((j) => ({ ...j, id: `${j.id} @${p.sessions}` })))];
    const report = [
      `${config.sessions} sessions; wrk ${config.threads} thread(s), ${config.connections} connections; ${config.rounds} rounds x ${config.duration}s, ` +
        'variants rotating; medians and min–max over rounds; ratios paired per round; CPU ms per request = target process + PostgreSQL',
      `service node flags: ${targets.find((t) => t.name === 'service')?.nodeFlags.join(' ') || 'none (no heap cap)'}`,
      '',
      formatRatios(allJobs),
      '',
      formatMemory(memory, allJobs),
      ...summaries.map((s) => `\n${formatJob(s)}`),
      ...scalePoints.map((p) => `\nscale: ${p.sessions} sessions\n${p.jobs.map(formatJob).join('\n')}`),
      ...(withService ? [] : ['\n(service not built: baseline only)']),
      ...(config.schemaTrial ? [`\n(schema trial, not the project's schema: ${config.schemaTrial})`] : []),
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

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
