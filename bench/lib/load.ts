import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESULT_MARK, type WrkResult, wrkScript } from './wrk-script';

/** One measured run of one variant. */
export interface Measurement {
  /** Responses completed (requests still in flight when the run ends are not counted). */
  requests: number;
  /** Wall time of the run; for a burst, until its last answer. */
  seconds: number;
  /** Responses per second over the run (see the job for what a "request" is). */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
  /** Responses whose status the job does not expect. */
  unexpected: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Set when the run broke an invariant the job checks (oversold seats, a stale feed...). */
  broken?: string;
  /** Anything else worth a line in the log. */
  notes?: string[];
  /** CPU seconds used during the run, filled in by the runner (null where /proc cannot tell). */
  cpu?: { server: number | null; postgres: number | null };
}

export interface LoadSpec {
  method?: 'GET' | 'POST';
  path: string;
  /** Instead of `path` for each request: a path with `{i}` in it, replaced by the request's number in the run (nine digits). */
  pathTemplate?: string;
  headers?: Record<string, string>;
  /** A fixed body (JSON). */
  body?: string;
  /** A JSON body with `{n}` in it, replaced per request by a name unique to the run. */
  bodyTemplate?: string;
  /** Headers with `{n}` in their values (e.g. a fresh Idempotency-Key). */
  headerTemplates?: Record<string, string>;
  /** Statuses that count as success for this variant. */
  expect: number[];
}

export interface LoadOptions {
  connections: number;
  threads: number;
  /** Seconds. */
  duration: number;
}

const WRK = process.env.BENCH_WRK ?? 'wrk';
const scriptDir = mkdtempSync(join(tmpdir(), 'eventline-wrk-'));
process.once('exit', () => rmSync(scriptDir, { recursive: true, force: true }));

/**
 * Loads `baseUrl + spec.path` with wrk for `duration` seconds. wrk is compiled C with its own
 * event loop: on a small machine it takes far less CPU from the targets than a Node load
 * generator would, and the same amount from each.
 */
export async function runLoad(baseUrl: string, spec: LoadSpec, opts: LoadOptions): Promise<Measurement> {
  const tag = randomBytes(5).toString('hex');
  const hasBody = spec.body !== undefined || spec.bodyTemplate !== undefined;
  const script = join(scriptDir, `${tag}.lua`);
  writeFileSync(
    script,
    wrkScript({
      method: spec.method ?? 'GET',
      headers: { ...(hasBody ? { 'Content-Type': 'application/json' } : {}), ...spec.headers },
      body: spec.body,
      bodyTemplate: spec.bodyTemplate,
      headerTemplates: spec.headerTemplates,
      pathTemplate: spec.pathTemplate,
      threads: opts.threads,
      tag,
    }),
  );
  try {
    const args = ['-t', String(opts.threads), '-c', String(opts.connections), '-d', `${opts.duration}s`, '--timeout', '30s', '-s', script];
    const result = parseResult(await run(WRK, [...args, `${baseUrl}${spec.path}`]));
    return toMeasurement(result, spec.expect);
  } finally {
    rmSync(script, { force: true });
  }
}

function toMeasurement(r: WrkResult, expect: number[]): Measurement {
  const expected = new Set(expect.map(String));
  const unexpected = Object.entries(r.statuses).reduce((n, [code, count]) => (expected.has(code) ? n : n + count), 0);
  const seconds = r.durationUs / 1e6;
  return {
    requests: r.requests,
    seconds,
    rps: r.requests / seconds,
    p50Ms: r.latencyUs.p50 / 1000,
    p99Ms: r.latencyUs.p99 / 1000,
    statuses: r.statuses,
    unexpected,
    errors: r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout,
  };
}

function parseResult(stdout: string): WrkResult {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (!line) throw new Error(`wrk printed no result:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice(RESULT_MARK.length)) as WrkResult;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.once('error', (err) => reject(new Error(`cannot run ${command} (install wrk, or set BENCH_WRK): ${err.message}`)));
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} exited with ${code}: ${stderr || stdout}`))));
  });
}
