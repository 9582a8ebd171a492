import type { JobSummary, RatioSummary, VariantSummary } from './compare';
import type { Measurement } from './load';
import { spread, type Spread } from './stats';

export interface MemorySummary {
  service: number | null;
  baseline: number | null;
}

function num(v: number | null | undefined, digits = 0): string {
  return v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits);
}

function range(s: Spread, digits: number): string {
  return Number.isNaN(s.median) ? '-' : `${num(s.median, digits)} (${num(s.min, digits)}–${num(s.max, digits)})`;
}

/** CPU milliseconds per request, the target process + PostgreSQL. */
function cpu(v: VariantSummary | undefined): string {
  if (!v) return '-';
  return `${num(v.cpuPerRequest.server === null ? null : v.cpuPerRequest.server * 1000, 3)} + ${num(
    v.cpuPerRequest.postgres === null ? null : v.cpuPerRequest.postgres * 1000,
    3,
  )}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

function variantRows(job: JobSummary): string[] {
  if (job.kind === 'burst') {
    return table(
      ['', 'seconds to last answer (min–max)', 'p99 ms', 'answers over all rounds', 'CPU ms/req node + pg'],
      job.variants.map((v) => {
        const done = v.rounds.filter((m): m is Measurement => m !== null);
        return [v.label, range(spread(done.map((m) => m.seconds)), 2), num(v.p99Ms), JSON.stringify(v.statuses), cpu(v)];
      }),
    );
  }
  const digits = job.kind === 'latency' ? 2 : 0;
  return table(
    ['', `${job.kind === 'latency' ? 'renders/s' : 'req/s'} (min–max)`, 'p50 ms', 'p99 ms', 'CPU ms/req node + pg'],
    job.variants.map((v) => [v.label, range(v.rps, digits), num(v.p50Ms, 1), num(v.p99Ms, 1), cpu(v)]),
  );
}

function ratioText(r: RatioSummary): string {
  if (r.invalid) return `invalid: ${r.invalid}`;
  const goal = r.goal === null ? '' : `  goal ≥ ${r.goal}${r.ratio.median >= r.goal ? ' (met)' : ' (not met)'}`;
  return `${num(r.ratio.median, 2)} (${num(r.ratio.min, 2)}–${num(r.ratio.max, 2)} over ${r.perRound.length} rounds)${goal}`;
}

/** One block per job: every variant with its spread and CPU per request, then its ratios. */
export function formatJob(job: JobSummary): string {
  const lines = [`${job.id}: ${job.title}`];
  if (job.invalid) lines.push(`  INVALID: ${job.invalid}`);
  lines.push(...variantRows(job).map((l) => `  ${l}`));
  for (const v of job.variants.filter((x) => x.invalid && !job.invalid)) lines.push(`  ${v.label}: invalid: ${v.invalid}`);
  for (const r of job.ratios) lines.push(`  ${r.label}: ${ratioText(r)}`);
  lines.push(...job.notes.map((n) => `  ${n}`));
  lines.push(`  ${formatRss(job.rss)}`);
  return lines.join('\n');
}

/** Every ratio of the run on one line each, with the CPU per request of both sides. */
export function formatRatios(jobs: JobSummary[]): string {
  const rows = jobs.flatMap((job) =>
    job.ratios.map((r) => {
      const of = job.variants.find((v) => v.id === r.of);
      const to = job.variants.find((v) => v.id === r.to);
      return [
        `${job.id}: ${r.label}`,
        r.invalid ? 'invalid' : num(r.ratio.median, 2),
        r.invalid ? '' : `${num(r.ratio.min, 2)}–${num(r.ratio.max, 2)}`,
        cpu(of),
        cpu(to),
        r.goal === null ? '' : `≥ ${r.goal}`,
      ];
    }),
  );
  return table(['ratio (req/s, paired per round)', 'median', 'min–max', 'CPU ms/req: of', 'to', 'goal'], rows).join('\n');
}

const mib = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : v.toFixed(1));

/** `RSS MiB at the job's start → its peak during the job`, per target. */
export function formatRss(rss: JobSummary['rss']): string {
  const parts = Object.entries(rss).map(([target, r]) => `${target} ${mib(r?.startMiB)} → ${mib(r?.peakMiB)}`);
  return `RSS MiB, at the job's start → peak during it: ${parts.join(', ')}`;
}

/** The whole run's peak RSS per target, then each job's (VmHWM reset when the job starts). */
export function formatMemory(memory: MemorySummary, jobs: JobSummary[]): string {
  const mb = (v: number | null): string => (v === null ? '-' : `${v.toFixed(1)} MiB (${((v * 1024 * 1024) / 1e6).toFixed(1)} MB)`);
  return [
    `peak RSS over the whole run (VmHWM): service ${mb(memory.service)}, baseline ${mb(memory.baseline)}`,
    '',
    ...table(
      ['RSS per job, MiB: at its start → peak during it', 'service', 'baseline'],
      jobs.map((j) => [j.id, ...(['service', 'baseline'] as const).map((t) => `${mib(j.rss[t]?.startMiB)} → ${mib(j.rss[t]?.peakMiB)}`)]),
    ),
  ].join('\n');
}
