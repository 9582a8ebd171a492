import { cpuBetween, type CpuSnapshot, type PostgresCpu } from './cpu';
import type { BenchJob, JobContext, Variant } from './job';
import type { Measurement } from './load';
import type { ServerProcess, TargetName } from './processes';
import { formatRss } from './report';
import { median, type Spread, spread, sum } from './stats';

export interface VariantSummary {
  id: string;
  label: string;
  target: TargetName;
  /** One entry per round; null where the variant was not run in that round. */
  rounds: (Measurement | null)[];
  /** Why its numbers do not count (a failed check or run, unexpected answers), or null. */
  invalid: string | null;
  rps: Spread;
  p50Ms: number;
  p99Ms: number;
  /** CPU seconds per request over all rounds: the target process, and PostgreSQL. */
  cpuPerRequest: { server: number | null; postgres: number | null };
  statuses: Record<string, number>;
}

export interface RatioSummary {
  of: string;
  to: string;
  label: string;
  goal: number | null;
  /** Of the per-round ratios (both variants measured in the same round). */
  ratio: Spread;
  perRound: number[];
  invalid: string | null;
}

export interface JobSummary {
  id: string;
  title: string;
  kind: BenchJob['kind'];
  variants: VariantSummary[];
  ratios: RatioSummary[];
  /** Why nothing was measured (the targets answer differently), or null. */
  invalid: string | null;
  /** The job's derived lines (`BenchJob.notes`). */
  notes: string[];
  /** Each target's RSS in MiB when the job started, and its peak until the job's end (checks and warm-up included). */
  rss: Partial<Record<TargetName, { startMiB: number | null; peakMiB: number | null }>>;
}

/** A server under test died: the whole run stops. */
export class TargetDiedError extends Error {}

interface VariantState {
  variant: Variant;
  target: ServerProcess | undefined;
  rounds: (Measurement | null)[];
  invalid: string | null;
  /** A run threw: the variant is not run again. */
  failed: boolean;
}

/**
 * Checks that the targets give the same answers, warms every variant up, then runs `rounds`
 * rounds; each round runs every variant once, starting one further along each time (or, mirrored,
 * every other round backwards), so drift on a shared machine spreads over all of them. Ratios are
 * taken within a round, then summarised.
 */
export async function runJob(job: BenchJob, ctx: JobContext, targets: ServerProcess[], log: (line: string) => void): Promise<JobSummary> {
  const states: VariantState[] = job.variants.map((variant) => ({
    variant,
    target: targets.find((t) => t.name === variant.target),
    rounds: [],
    invalid: null,
    failed: false,
  }));
  for (const t of targets) t.rss.startWindow();
  await job.prepare?.(ctx);
  let invalid: string | null = null;
  if (job.differingAnswer && new Set(job.variants.map((v) => v.target)).size > 1 && targets.length > 1) {
    const difference = await job.differingAnswer(ctx, targets);
    if (difference) {
      log(`  ${job.id}: not measured: ${difference}`);
      invalid = `the targets answer differently: ${difference.split('\n')[0]}`;
    }
  }
  for (const s of states) {
    if (!s.target) s.invalid = `${s.variant.target} is not running`;
    else if (s.variant.check) s.invalid = await s.variant.check(ctx, s.target);
    if (s.invalid) log(`  ${job.id} ${s.variant.id}: not measured: ${s.invalid}`);
  }
  const runnable = invalid ? [] : states.filter((s) => !s.invalid);
  try {
    if (!job.noWarmup && ctx.config.warmup > 0) {
      for (const s of runnable) await measure(s, ctx, targets, ctx.config.warmup, job.id).catch(() => null);
    }
    await runRounds(job, ctx, targets, runnable, log);
  } finally {
    for (const t of targets) if (t.exitReport() === null) process.kill(t.pid, 'SIGCONT');
  }
  const rss = Object.fromEntries(targets.map((t) => [t.name, t.rss.window()]));
  log(`  ${job.id}: ${formatRss(rss)}`);
  return summarize(job, states, invalid, rss);
}

async function runRounds(
  job: BenchJob,
  ctx: JobContext,
  targets: ServerProcess[],
  runnable: VariantState[],
  log: (line: string) => void,
): Promise<void> {
  for (let round = 0; round < ctx.config.rounds; round++) {
    const turn = job.mirrored ? Math.floor(round / 2) : round;
    const start = runnable.length === 0 ? 0 : turn % runnable.length;
    const order = [...runnable.slice(start), ...runnable.slice(0, start)];
    for (const s of job.mirrored && round % 2 === 1 ? order.reverse() : order) {
      if (s.failed) {
        s.rounds[round] = null;
        continue;
      }
      let m: Measurement | null = null;
      try {
        m = await measure(s, ctx, targets, ctx.config.duration, job.id);
      } catch (err) {
        if (err instanceof TargetDiedError) throw err;
        s.failed = true;
        s.invalid = `failed: ${(err as Error).message}`;
        log(`  ${job.id} ${s.variant.id}: ${s.invalid}`);
      }
      s.rounds[round] = m;
      if (!m) continue;
      s.invalid ??= badRun(m);
      log(`  ${job.id} round ${round + 1} ${s.variant.id.padEnd(16)} ${describe(m, job.kind)}`);
    }
  }
}

/** One run with its CPU: from just before it starts until the machine is quiet after it (deferred work, e.g. mail, counts). */
async function measure(s: VariantState, ctx: JobContext, targets: ServerProcess[], duration: number, jobId: string): Promise<Measurement> {
  const target = s.target!;
  await s.variant.beforeRun?.(ctx, target);
  for (const t of targets) {
    if (t.exitReport() === null) process.kill(t.pid, t !== target && s.variant.stopsOthers ? 'SIGSTOP' : 'SIGCONT');
  }
  await settle(targets, ctx.postgresCpu);
  const serverBefore = target.cpuSeconds();
  const pgBefore = await ctx.postgresCpu?.snapshot();
  const m = await s.variant.run(ctx, target, duration);
  if (!(await settle(targets, ctx.postgresCpu))) (m.notes ??= []).push('still busy 2 minutes after the run: CPU cut off there');
  const serverAfter = target.cpuSeconds();
  const pgAfter = await ctx.postgresCpu?.snapshot();
  const exit = targets.map((t) => t.exitReport()).find((r) => r !== null);
  if (exit) throw new TargetDiedError(`${jobId}: ${exit}`);
  m.cpu = {
    server: serverBefore !== null && serverAfter !== null ? serverAfter - serverBefore : null,
    postgres: pgBefore && pgAfter ? cpuBetween(pgBefore, pgAfter) : null,
  };
  return m;
}

/** Why a run's numbers do not count, or null. */
function badRun(m: Measurement): string | null {
  if (m.broken) return m.broken;
  if (m.requests === 0) return 'no answers';
  if (m.unexpected > 0 || m.errors > 0) {
    return `unexpected answers: ${JSON.stringify(m.statuses)}${m.errors > 0 ? `, ${m.errors} socket errors/timeouts` : ''}`;
  }
  return null;
}

function describe(m: Measurement, kind: BenchJob['kind']): string {
  const cpu = m.cpu ? `cpu ${ms(m.cpu.server, m.requests)}+${ms(m.cpu.postgres, m.requests)} ms/req` : '';
  const head =
    kind === 'burst'
      ? `${m.requests} answers in ${m.seconds.toFixed(2)} s  p99 ${m.p99Ms.toFixed(0)} ms  ${JSON.stringify(m.statuses)}`
      : `${m.rps.toFixed(kind === 'latency' ? 2 : 0).padStart(7)} req/s  p50 ${m.p50Ms.toFixed(1)} ms  p99 ${m.p99Ms.toFixed(1)} ms`;
  const bad = badRun(m);
  return [head, cpu, bad ? `INVALID: ${bad}` : '', ...(m.notes ?? [])].filter(Boolean).join('  ');
}

function ms(seconds: number | null, requests: number): string {
  return seconds === null || requests === 0 ? '-' : ((seconds * 1000) / requests).toFixed(3);
}

function summarize(job: BenchJob, states: VariantState[], invalid: string | null, rss: JobSummary['rss']): JobSummary {
  const variants = states.map((s): VariantSummary => {
    const done = s.rounds.filter((m): m is Measurement => m !== null);
    const requests = sum(done.map((m) => m.requests));
    const cpu = (pick: (m: Measurement) => number | null | undefined): number | null => {
      const values = done.map(pick);
      return requests === 0 || values.some((v) => v === null || v === undefined) ? null : sum(values as number[]) / requests;
    };
    const statuses: Record<string, number> = {};
    for (const m of done) for (const [code, n] of Object.entries(m.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
    return {
      id: s.variant.id,
      label: s.variant.label,
      target: s.variant.target,
      rounds: s.rounds,
      invalid: s.invalid,
      rps: spread(done.map((m) => m.rps)),
      p50Ms: median(done.map((m) => m.p50Ms)),
      p99Ms: median(done.map((m) => m.p99Ms)),
      cpuPerRequest: { server: cpu((m) => m.cpu?.server), postgres: cpu((m) => m.cpu?.postgres) },
      statuses,
    };
  });
  const ratios = job.ratios.map((r): RatioSummary => {
    const of = variants.find((v) => v.id === r.of);
    const to = variants.find((v) => v.id === r.to);
    if (!of || !to) throw new Error(`${job.id}: ratio ${r.label} names an unknown variant`);
    const perRound = of.rounds.flatMap((m, i) => {
      const ref = to.rounds[i];
      return m && ref && ref.rps > 0 ? [m.rps / ref.rps] : [];
    });
    const why = invalid ?? (of.invalid ? `${of.label}: ${of.invalid}` : to.invalid ? `${to.label}: ${to.invalid}` : null);
    return { of: r.of, to: r.to, label: r.label, goal: r.goal ?? null, ratio: spread(perRound), perRound, invalid: why };
  });
  const summary: JobSummary = { id: job.id, title: job.title, kind: job.kind, variants, ratios, invalid, notes: [], rss };
  summary.notes = invalid || !job.notes ? [] : job.notes(summary);
  return summary;
}

/**
 * Waits until the targets and PostgreSQL have used almost no CPU for half a second: what a run
 * left behind (requests, mail, autovacuum) is done before the next starts or its CPU is read.
 * False when they were still busy at the timeout.
 */
export async function settle(targets: ServerProcess[], postgres: PostgresCpu | null, timeoutMs = 120_000): Promise<boolean> {
  const intervalMs = 250;
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  let last = await sample(targets, postgres);
  while (quiet < 2 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const now = await sample(targets, postgres);
    const used =
      sum(now.servers.map((seconds, i) => (seconds ?? 0) - (last.servers[i] ?? 0))) + (now.pg && last.pg ? cpuBetween(last.pg, now.pg) : 0);
    quiet = used < (intervalMs / 1000) * 0.05 ? quiet + 1 : 0;
    last = now;
  }
  return quiet >= 2;
}

async function sample(
  targets: ServerProcess[],
  postgres: PostgresCpu | null,
): Promise<{ servers: (number | null)[]; pg: CpuSnapshot | null }> {
  return { servers: targets.map((t) => t.cpuSeconds()), pg: postgres ? await postgres.snapshot() : null };
}
