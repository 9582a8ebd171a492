import type { BenchJob, JobContext } from './job';
import type { Measurement } from './load';
import type { ServerProcess, TargetName } from './processes';
import { median, sum } from './stats';

export interface TargetSummary {
  rounds: Measurement[];
  rps: number;
  p99Ms: number;
  unexpected: number;
  errors: number;
  statuses: Record<string, number>;
  /** Set when a run could not be made at all (e.g. its setup request was refused). */
  failure: string | null;
  /** Median over rounds of rps / the paired reference's rps (jobs that measure one, see `paired`). */
  pairedRatio: number | null;
  /** What the paired ratio compares against. */
  pairedWith: string | null;
}

export interface JobSummary {
  id: string;
  title: string;
  targets: Partial<Record<TargetName, TargetSummary>>;
  /** service / baseline medians; null without the service, or when either answered wrongly. */
  rpsRatio: number | null;
  p99Ratio: number | null;
  /** Why the ratios are withheld, when they are. */
  invalid: string | null;
}

/** A server under test died: the whole run stops. */
export class TargetDiedError extends Error {}

/** Above this share of wrong answers or errors, a target's numbers measure something else. */
const MAX_BAD_SHARE = 0.01;

/**
 * Warms each target up, then runs `rounds` rounds alternating the order (service first, then
 * baseline first, ...) so drift on a shared machine hits both alike. Reports medians.
 */
export async function compare(job: BenchJob, ctx: JobContext, targets: ServerProcess[], log: (line: string) => void): Promise<JobSummary> {
  const runs = new Map<TargetName, Measurement[]>(targets.map((t) => [t.name, []]));
  const failures = new Map<TargetName, string>();
  // Before each run: the previous run's leftovers drained on both targets (they share the CPUs).
  const run = async (t: ServerProcess, duration: number): Promise<Measurement | null> => {
    if (failures.has(t.name)) return null;
    await Promise.all(targets.map((x) => x.settle()));
    let measurement: Measurement | null = null;
    try {
      await job.beforeRun?.(ctx, t);
      measurement = await job.measure(ctx, t, duration);
    } catch (err) {
      failures.set(t.name, (err as Error).message);
      log(`  ${job.id} ${t.name}: failed: ${(err as Error).message}`);
    }
    const exit = t.exitReport();
    if (exit) throw new TargetDiedError(`${job.id}: ${exit}`);
    return measurement;
  };
  if (targets.length > 1 && job.differingAnswer) {
    const difference = await job.differingAnswer(ctx, targets);
    if (difference) {
      log(`  ${job.id}: not measured: ${difference}`);
      return { ...summarize(job, runs, failures), invalid: 'the targets answer differently' };
    }
  }
  if (ctx.config.warmup > 0) for (const t of targets) await run(t, ctx.config.warmup);
  for (let round = 0; round < ctx.config.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      const m = await run(t, ctx.config.duration);
      if (!m) continue;
      runs.get(t.name)!.push(m);
      log(
        `  ${job.id} round ${round + 1} ${t.name.padEnd(8)} ${m.rps.toFixed(0).padStart(7)} req/s  p99 ${m.p99Ms.toFixed(1)} ms` +
          (m.unexpected + m.errors > 0 ? `  (${m.unexpected} unexpected, ${m.errors} errors: ${JSON.stringify(m.statuses)})` : '') +
          (m.notes?.length ? `  ${m.notes.join('; ')}` : ''),
      );
    }
  }
  return summarize(job, runs, failures);
}

function summarize(job: BenchJob, runs: Map<TargetName, Measurement[]>, failures: Map<TargetName, string>): JobSummary {
  const summary: JobSummary = { id: job.id, title: job.title, targets: {}, rpsRatio: null, p99Ratio: null, invalid: null };
  for (const [name, rounds] of runs) {
    const statuses: Record<string, number> = {};
    for (const r of rounds) for (const [code, n] of Object.entries(r.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
    summary.targets[name] = {
      rounds,
      rps: median(rounds.map((r) => r.rps)),
      p99Ms: median(rounds.map((r) => r.p99Ms)),
      unexpected: sum(rounds.map((r) => r.unexpected)),
      errors: sum(rounds.map((r) => r.errors)),
      statuses,
      failure: failures.get(name) ?? null,
      ...pairedRatio(rounds),
    };
  }
  const problems: string[] = [];
  for (const [name, t] of Object.entries(summary.targets)) {
    if (!t) continue;
    if (t.failure) problems.push(`${name} failed: ${t.failure}`);
    else if (badShare(t) > MAX_BAD_SHARE)
      problems.push(`${name} answered ${JSON.stringify(t.statuses)}${t.errors ? ` with ${t.errors} errors` : ''}`);
  }
  const s = summary.targets.service;
  const b = summary.targets.baseline;
  if (problems.length > 0) summary.invalid = problems.join('; ');
  else if (s && b) {
    summary.rpsRatio = s.rps / b.rps;
    summary.p99Ratio = s.p99Ms / b.p99Ms;
  }
  return summary;
}

function pairedRatio(rounds: Measurement[]): Pick<TargetSummary, 'pairedRatio' | 'pairedWith'> {
  const refs = rounds.map((r) => r.reference);
  if (refs.length === 0 || refs.some((ref) => !ref || ref.rps <= 0)) return { pairedRatio: null, pairedWith: null };
  return { pairedRatio: median(rounds.map((r) => r.rps / r.reference!.rps)), pairedWith: refs[0]!.title };
}

function badShare(t: TargetSummary): number {
  const total = sum(Object.values(t.statuses)) + t.errors;
  return total === 0 ? 1 : (t.unexpected + t.errors) / total;
}
