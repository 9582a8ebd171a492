/**
 * The rush's memory under V8 settings: for each set of node flags, a fresh built service
 * (`dist/src/main.js`, mail delivery and rate limits off) takes BENCH_RUSH (3,000) registrations
 * at once, each on its own connection, for one session of 100 seats with a waitlist; its RSS is
 * read idle, then every 20 ms until 2 s after the last answer. Sets alternate, PROBE_ROUNDS (3)
 * times, each on a new service and an emptied session. Prints RSS idle and peak (MiB) and the
 * seconds to the last answer.
 *
 *   npm run build && npx tsc -p bench/tsconfig.json
 *   node bench/dist/probes/rush-memory.js [postgres-url-of-an-admin-database] ['<flags>' ...]
 *
 * With no flags given it compares V8's defaults with the settings BENCHMARKS.md (Memory) names.
 * A scratch database is made by the real migrations and dropped at the end.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../lib/ports';
import { REPO_ROOT } from '../lib/processes';

const ADMIN_URL = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const FLAG_SETS =
  process.argv.length > 3
    ? process.argv.slice(3)
    : ['', '--max-semi-space-size=2', '--max-semi-space-size=2 --heap-growing-percent=50', '--optimize-for-size'];
const ROUNDS = Number(process.env.PROBE_ROUNDS ?? 3);
const RUSH = Number(process.env.BENCH_RUSH ?? 3000);
const DB = 'eventline_probe_rush';
const URL_OF_DB = ADMIN_URL.replace(/\/[^/]*$/, `/${DB}`);

const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function post(port: number, path: string, body: string): Promise<number> {
  return new Promise((done) => {
    const req = request(
      {
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      },
    );
    req.on('error', () => done(0));
    req.end(body);
  });
}

async function ready(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode})`);
    const status = await new Promise<number>((done) => {
      const req = request({ port, path: '/health/ready' }, (res) => {
        res.resume();
        done(res.statusCode ?? 0);
      });
      req.on('error', () => done(0));
      req.end();
    });
    if (status === 200) return;
    await sleep(100);
  }
  throw new Error('the service did not become ready');
}

async function rushOnce(flags: string, sessionId: string): Promise<{ idle: number; peak: number; seconds: number; placed: number }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'eventline-probe-'));
  const child = spawn(process.execPath, [...flags.split(' ').filter(Boolean), 'dist/src/main.js'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: URL_OF_DB,
      PORT: String(port),
      DATA_DIR: dataDir,
      RATE_LIMIT: 'off',
      MAIL_DELIVERY: 'off',
      LOG_LEVEL: 'warn',
      MALLOC_MMAP_THRESHOLD_: '4194304',
    },
    stdio: 'ignore',
  });
  try {
    await ready(port, child);
    await sleep(2000);
    const pid = child.pid as number;
    const idle = rssMiB(pid);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
    const started = performance.now();
    const path = `/sessions/${sessionId}/registrations`;
    const run = Date.now().toString(36);
    const statuses = await Promise.all(
      Array.from({ length: RUSH }, (_, i) =>
        post(port, path, JSON.stringify({ name: `Rusher ${i}`, email: `rush${i}.${run}@probe.example.com` })),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    await sleep(2000);
    clearInterval(sampler);
    return { idle, peak, seconds, placed: statuses.filter((s) => s === 201).length };
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => (child.exitCode !== null ? done(null) : child.once('exit', done)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const admin = new Client(ADMIN_URL);
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.query(`CREATE DATABASE ${DB}`);
  const db = new Client(URL_OF_DB);
  try {
    execFileSync(process.execPath, ['dist/src/cli.js', 'migration:run'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: URL_OF_DB },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await db.connect();
    const { rows } = await db.query<{ id: string }>(
      `WITH ev AS (INSERT INTO events (slug, title, timezone, status) VALUES ('probe-rush', 'Probe rush', 'Europe/Berlin', 'published') RETURNING id, timezone)
       INSERT INTO sessions (event_id, starts_at, ends_at, timezone, capacity, waitlist_enabled)
       SELECT id, now() + interval '200 days', now() + interval '200 days 3 hours', timezone, 100, true FROM ev RETURNING id`,
    );
    const sessionId = rows[0].id;
    const results = new Map<string, { idle: number; peak: number; seconds: number }[]>(FLAG_SETS.map((f) => [f, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const flags of FLAG_SETS) {
        await db.query('DELETE FROM registrations WHERE session_id = $1', [sessionId]);
        await db.query('UPDATE sessions SET confirmed_count = 0, waitlisted_count = 0 WHERE id = $1', [sessionId]);
        await db.query('VACUUM ANALYZE registrations');
        const r = await rushOnce(flags, sessionId);
        if (r.placed !== RUSH) throw new Error(`[${flags}] placed ${r.placed} of ${RUSH}`);
        results.get(flags)?.push(r);
        console.log(
          `round ${round} [${flags || 'defaults'}] idle ${r.idle.toFixed(0)} MiB, peak ${r.peak.toFixed(0)} MiB, ${r.seconds.toFixed(2)} s`,
        );
      }
    }
    console.log('\nflags | RSS idle MiB | RSS peak MiB | seconds to the last answer');
    for (const [flags, runs] of results) {
      const list = (pick: (r: { idle: number; peak: number; seconds: number }) => number, digits: number) =>
        runs.map((r) => pick(r).toFixed(digits)).join(', ');
      console.log(`${flags || '(defaults)'} | ${list((r) => r.idle, 0)} | ${list((r) => r.peak, 0)} | ${list((r) => r.seconds, 2)}`);
    }
  } finally {
    await db.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
