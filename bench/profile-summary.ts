/**
 * Ranks where a V8 CPU profile (from BENCH_CPU_PROFILE, or `node --cpu-prof`) spent its time:
 * by package (or the project's own code), then by function, as shares of the sampled time.
 * Usage: node bench/dist/profile-summary.js <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** "pg", "@nestjs/core", "(project) src/events", "(node) internal", "(gc)"… */
export function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return `(node) ${url.slice(5).split('/')[0]}`;
  const project = /\/dist\/(src\/[^/]+|bench\/[^/]+)/.exec(url);
  return project ? `(project) ${project[1]}` : url;
}

/**
 * A gap this long between samples (1 ms apart when running) means the process did not run: the
 * bench stops the service (SIGSTOP) while the baseline is measured, and the sample after the stop
 * would otherwise carry the whole pause, as if "(program)" had run for it.
 */
const STOPPED_US = 100_000;

export function summarize(profile: CpuProfile): { total: number; byOwner: Map<string, number>; byFunction: Map<string, number> } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)' || dt >= STOPPED_US) return;
    total += dt;
    const { functionName, url, lineNumber } = node.callFrame;
    const owner = ownerOf(url, functionName);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + dt);
    const fn = `${functionName || '(anonymous)'} ${owner}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
  });
  return { total, byOwner, byFunction };
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: node bench/dist/profile-summary.js <file.cpuprofile> [top]');
  const top = Number(topArg ?? 25);
  const { total, byOwner, byFunction } = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const table = (title: string, rows: Map<string, number>): void => {
    console.log(`\n${title} (self time, share of ${(total / 1e6).toFixed(1)} s busy)`);
    for (const [name, us] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${((100 * us) / total).toFixed(1).padStart(6)} %  ${name}`);
    }
  };
  table('by package', byOwner);
  table('by function', byFunction);
}

if (require.main === module) main();
