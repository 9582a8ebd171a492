import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { processCpuSeconds } from './cpu';
import { PeakRss } from './memory';
import { freePort } from './ports';

export type TargetName = 'service' | 'baseline';

/** A server under test, running as a child `node` process. */
export interface ServerProcess {
  name: TargetName;
  url: string;
  pid: number;
  /** Node flags it runs with (none: no heap cap, V8's defaults). */
  nodeFlags: string[];
  /** Peak resident memory: over its life, and per job (a window each). */
  rss: PeakRss;
  /** CPU seconds used so far; null where /proc is missing. */
  cpuSeconds(): number | null;
  /** Null while running; else how it ended and its last output. */
  exitReport(): string | null;
  stop(): Promise<void>;
}

/** The repository root, from bench/dist/lib. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const SERVICE_ENTRY = join(REPO_ROOT, 'dist', 'src', 'main.js');
const BASELINE_ENTRY = join(__dirname, '..', 'baseline', 'server.js');

export function serviceIsBuilt(): boolean {
  return existsSync(SERVICE_ENTRY);
}

/** The environment and node flags of `npm run start:prod`, so the bench runs the service as production does. */
function startProd(): { env: Record<string, string>; nodeFlags: string[] } {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = (pkg.scripts['start:prod'] ?? '').split(/\s+/);
  const assignments = words.slice(
    0,
    words.findIndex((word) => !/^[A-Z_]+=/.test(word)),
  );
  return {
    env: Object.fromEntries(assignments.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)])),
    nodeFlags: words.filter((arg) => arg.startsWith('--')),
  };
}

/**
 * The service from its production build, as `npm run start:prod` runs it, minus rate limits and
 * chatter. Without SMTP_URL its mail worker writes each message as an .eml file under DATA_DIR:
 * a throwaway folder here, not the repository's .data.
 */
export async function startService(
  env: { DATABASE_URL: string } & Record<string, string>,
  nodeFlags: string[] = [],
): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eventline-bench-service-'));
  const production = startProd();
  const server = await startServer('service', SERVICE_ENTRY, [...production.nodeFlags, ...nodeFlags], {
    ...production.env,
    RATE_LIMIT: 'off',
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    ...env,
  }).catch((err: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  return {
    ...server,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function startBaseline(env: { DATABASE_URL: string }): Promise<ServerProcess> {
  return startServer('baseline', BASELINE_ENTRY, [], { NODE_ENV: 'production', ...env });
}

/**
 * With BENCH_CPU_PROFILE=<dir>, each server writes a V8 CPU profile there when it exits
 * (`node bench/dist/profile-summary.js <file>` ranks where its time went).
 */
function profileFlags(name: TargetName): string[] {
  const dir = process.env.BENCH_CPU_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(dir)}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
}

async function startServer(name: TargetName, entry: string, nodeFlags: string[], env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...nodeFlags, ...profileFlags(name), entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, PORT: String(port), PUBLIC_BASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = new OutputTail();
  child.stdout?.on('data', (b: Buffer) => output.push(b));
  child.stderr?.on('data', (b: Buffer) => output.push(b));
  let exitReport: string | null = null;
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code, signal) => {
      exitReport = `${name} exited (${signal ?? `code ${code}`})\n--- last output ---\n${output.text()}`;
      done(code);
    }),
  );
  try {
    await waitUntilReady(`${url}/health/live`, exited, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start: ${(err as Error).message}\n--- last output ---\n${output.text()}`);
  }
  return {
    name,
    url,
    pid: child.pid!,
    nodeFlags,
    rss: new PeakRss(child.pid!),
    cpuSeconds: () => processCpuSeconds(child.pid!),
    exitReport: () => exitReport,
    stop: () => stopChild(child, exited),
  };
}

async function waitUntilReady(url: string, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`exited with code ${gone}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`no 200 from ${url} within ${timeoutMs / 1000}s`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGCONT'); // a job may have stopped it (Variant.stopsOthers)
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Keeps the last lines a child printed, for the error message when it fails to start. */
class OutputTail {
  private lines: string[] = [];
  push(chunk: Buffer): void {
    this.lines.push(...chunk.toString('utf8').split('\n'));
    if (this.lines.length > 40) this.lines = this.lines.slice(-40);
  }
  text(): string {
    return this.lines.join('\n');
  }
}
