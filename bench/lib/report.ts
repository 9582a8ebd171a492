import type { JobSummary } from './compare';

export interface MemorySummary {
  service: number | null;
  baseline: number | null;
}

function cell(v: number | null | undefined, digits = 0): string {
  return v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits);
}

/** A plain-text table: one row per job, medians per target and the service/baseline ratios. */
/** `memory` null: no memory row (the scale tables). */
export function formatTable(jobs: JobSummary[], memory: MemorySummary | null): string {
  const header = ['job', 'service req/s', 'baseline req/s', 'ratio', 'service p99 ms', 'baseline p99 ms', 'p99 ratio', 'bad responses'];
  const rows = jobs.map((j) => [
    j.title,
    cell(j.targets.service?.rps),
    cell(j.targets.baseline?.rps),
    j.invalid ? 'invalid' : cell(j.rpsRatio, 2),
    cell(j.targets.service?.p99Ms, 1),
    cell(j.targets.baseline?.p99Ms, 1),
    j.invalid ? 'invalid' : cell(j.p99Ratio, 2),
    badResponses(j),
  ]);
  if (memory)
    rows.push([
      'peak RSS MiB (whole run)',
      cell(memory.service),
      cell(memory.baseline),
      memory.service && memory.baseline ? cell(memory.service / memory.baseline, 2) : '-',
      '',
      '',
      '',
      '',
    ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const notes = jobs.filter((j) => j.invalid).map((j) => `invalid ${j.id}: ${j.invalid}`);
  const pairs = pairedLines(jobs);
  return [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    ...(notes.length ? ['', ...notes] : []),
    ...(pairs.length ? ['', 'paired in each round, same target (median of per-round ratios):', ...pairs] : []),
  ].join('\n');
}

function pairedLines(jobs: JobSummary[]): string[] {
  return jobs.flatMap((j) => {
    const parts = Object.entries(j.targets)
      .filter(([, t]) => t?.pairedRatio != null)
      .map(([name, t]) => `${name} ${cell(t.pairedRatio, 2)}`);
    const reference = Object.values(j.targets).find((t) => t?.pairedWith)?.pairedWith;
    return parts.length > 0 ? [`  ${j.title} / ${reference}: ${parts.join(', ')}`] : [];
  });
}

function badResponses(j: JobSummary): string {
  const parts: string[] = [];
  for (const [name, t] of Object.entries(j.targets)) {
    if (t && t.unexpected + t.errors > 0) parts.push(`${name}: ${t.unexpected + t.errors}`);
  }
  return parts.length > 0 ? parts.join(', ') : '0';
}
