/**
 * The rush's memory under V8 settings: for each set of node flags, a fresh built service (as the
 * bench starts it, with mail delivery off) takes BENCH_RUSH (3,000) registrations at once, each on
 * its own connection, for one session of 100 seats with a waitlist; its RSS is read idle, and its
 * peak until 2 s after the last answer (VmHWM, as the bench reads it: bench/lib/memory.ts).
 * Sets alternate, PROBE_ROUNDS (3) times, each on a new service and an emptied session. Prints
 * RSS idle and peak (MiB) and the seconds to the last answer.
 *
 *   npm run build && npx tsc -p bench/tsconfig.json
 *   node bench/dist/probes/rush-memory.js [postgres-url-of-an-admin-database] ['<flags>' ...]
 *
 * With no flags given it compares V8's defaults with the settings BENCHMARKS.md (Memory) names.
 * A scratch database is made by the real migrations and dropped at the end.
 */
import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { post } from '../jobs/registration-rush';
import { PeakRss } from '../lib/memory';
import { REPO_ROOT, startService } from '../lib/processes';

const ADMIN_URL = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const FLAG_SETS =
  process.argv.length > 3
    ? process.argv.slice(3)
    : ['', '--max-semi-space-size=2', '--max-semi-space-size=2 --heap-growing-percent=50', '--optimize-for-size'];
const ROUNDS = Number(process.env.PROBE_ROUNDS ?? 3);
const RUSH = Number(process.env.BENCH_RUSH ?? 3000);
const DB = 'eventline_probe_rush';
const URL_OF_DB = ADMIN_URL.replace(/\/[^/]*$/, `/${DB}`);

interface Run {
  idle: number;
  peak: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function rushOnce(flags: string, sessionId: string): Promise<Run> {
  const service = await startService({ DATABASE_URL: URL_OF_DB, MAIL_DELIVERY: 'off' }, flags.split(' ').filter(Boolean));
  try {
    await sleep(2000);
    const memory = new PeakRss(service.pid);
    memory.startWindow();
    const started = performance.now();
    const run = Date.now().toString(36);
    const answers = await Promise.all(
      Array.from({ length: RUSH }, (_, i) =>
        post(
          service.url,
          `/sessions/${sessionId}/registrations`,
          JSON.stringify({ name: `Rusher ${i}`, email: `rush${i}.${run}@probe.example.com` }),
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    await sleep(2000);
    const { startMiB, peakMiB } = memory.window();
    if (startMiB === null || peakMiB === null) throw new Error(`no RSS readable for pid ${service.pid}`);
    const placed = answers.filter((a) => a.status === 201).length;
    if (placed !== RUSH) throw new Error(`[${flags}] placed ${placed} of ${RUSH}`);
    return { idle: startMiB, peak: peakMiB, seconds };
  } finally {
    await service.stop();
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
    const results = new Map<string, Run[]>(FLAG_SETS.map((f) => [f, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const flags of FLAG_SETS) {
        await db.query('DELETE FROM registrations WHERE session_id = $1', [sessionId]);
        await db.query('UPDATE sessions SET confirmed_count = 0, waitlisted_count = 0 WHERE id = $1', [sessionId]);
        await db.query('VACUUM ANALYZE registrations');
        const r = await rushOnce(flags, sessionId);
        results.get(flags)?.push(r);
        console.log(
          `round ${round} [${flags || 'defaults'}] idle ${r.idle.toFixed(0)} MiB, peak ${r.peak.toFixed(0)} MiB, ${r.seconds.toFixed(2)} s`,
        );
      }
    }
    console.log('\nflags | RSS idle MiB | RSS peak MiB | seconds to the last answer');
    for (const [flags, runs] of results) {
      const list = (pick: (r: Run) => number, digits: number) => runs.map((r) => pick(r).toFixed(digits)).join(', ');
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
