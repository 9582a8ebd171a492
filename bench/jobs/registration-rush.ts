import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { BenchJob, JobContext, Variant } from '../lib/job';
import type { Measurement } from '../lib/load';
import type { ServerProcess, TargetName } from '../lib/processes';
import { resetSession } from '../lib/seed';
import { median, percentile } from '../lib/stats';

interface Answer {
  status: number;
  ms: number;
}

/**
 * A rush: BENCH_RUSH (3,000) people press "register" at once for one session of 100 seats with a
 * waitlist, each on a new connection, against one instance. Everyone should get a place (201,
 * confirmed or waitlisted); 503 is a refusal (a bound on waiting was reached) and is counted, not
 * hidden; anything else is unexpected. The database must agree with the answers. This is not a
 * throughput measurement: it is sent from Node (one socket each, no limit) and reports the time
 * until the last answer.
 */
async function rush(ctx: JobContext, target: ServerProcess): Promise<Measurement> {
  const size = ctx.config.rush;
  const path = `/sessions/${ctx.data.rushSessionId}/registrations`;
  const run = `${target.name}-${randomBytes(4).toString('hex')}`;
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: size }, (_, i) =>
      post(target.url, path, JSON.stringify({ name: `Rusher ${i}`, email: `rush${i}.${run}@bench.example.com` })),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const statuses: Record<string, number> = {};
  for (const a of answers) if (a.status > 0) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  const errors = answers.filter((a) => a.status === 0).length;
  const placed = statuses['201'] ?? 0;
  const { rows } = await ctx.db.pool.query<{ confirmed: number; waitlisted: number; confirmed_rows: number; waitlisted_rows: number }>(
    `SELECT s.confirmed_count AS confirmed, s.waitlisted_count AS waitlisted,
            (SELECT count(*)::int FROM registrations r WHERE r.session_id = s.id AND r.status = 'confirmed') AS confirmed_rows,
            (SELECT count(*)::int FROM registrations r WHERE r.session_id = s.id AND r.status = 'waitlisted') AS waitlisted_rows
       FROM sessions s WHERE s.id = $1`,
    [ctx.data.rushSessionId],
  );
  const db = rows[0];
  const seats = Math.min(ctx.data.rushSeats, placed);
  const agrees =
    db.confirmed === seats && db.confirmed_rows === seats && db.waitlisted === placed - seats && db.waitlisted_rows === placed - seats;
  const latencies = answers.map((a) => a.ms);
  return {
    requests: answers.length - errors,
    seconds,
    rps: (answers.length - errors) / seconds,
    p50Ms: median(latencies),
    p99Ms: percentile(latencies, 0.99),
    statuses,
    unexpected: answers.length - errors - placed - (statuses['503'] ?? 0),
    errors,
    ...(agrees
      ? {}
      : {
          broken: `${placed} answered 201, but the session counts ${db.confirmed} + ${db.waitlisted} and holds ${db.confirmed_rows} + ${db.waitlisted_rows} places`,
        }),
    notes: [`${statuses['503'] ?? 0} of ${size} refused (503)`],
  };
}

const variant = (id: TargetName, label: string): Variant => ({
  id,
  label,
  target: id,
  // The idle service's mail worker would otherwise deliver the baseline's outbox rows meanwhile.
  stopsOthers: id === 'baseline',
  beforeRun: (ctx) => resetSession(ctx.db.pool, ctx.data.rushSessionId),
  run: (ctx, target) => rush(ctx, target),
});

export const registrationRush: BenchJob = {
  id: 'registration-rush',
  title: 'rush: registrations sent at once for one session (100 seats, waitlist), one instance',
  kind: 'burst',
  noWarmup: true,
  variants: [variant('service', 'service'), variant('baseline', 'baseline (same answer)')],
  ratios: [],
};

/** One POST on its own connection; status 0 on a connection error. */
export function post(baseUrl: string, path: string, body: string): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(`${baseUrl}${path}`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' },
      timeout: 60_000,
    });
    const done = (status: number): void => resolve({ status, ms: performance.now() - started });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => done(0));
    req.end(body);
  });
}
