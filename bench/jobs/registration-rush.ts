import { request } from 'node:http';
import type { BenchJob } from '../lib/job';
import type { Measurement } from '../lib/load';
import { resetSession } from '../lib/seed';
import { median, percentile } from '../lib/stats';

const RUSH = 1000;
const SEATS = 100;

interface Answer {
  status: number;
  ms: number;
}

/**
 * 1000 people press "register" at once for 100 seats (no waitlist), each on a new connection.
 * Exactly 100 must get 201 and 900 `409 sold-out`, and the database must agree; any other
 * outcome is counted as unexpected. Throughput is the 1000 over the burst's wall time.
 */
export const registrationRush: BenchJob = {
  id: 'registration-rush',
  title: `rush: ${RUSH} registrations at once for ${SEATS} seats`,
  beforeRun: (ctx) => resetSession(ctx.db.pool, ctx.data.rushSessionId),
  measure: async (ctx, target) => {
    const path = `/sessions/${ctx.data.rushSessionId}/registrations`;
    const run = `${target.name}-${Date.now().toString(36)}`;
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: RUSH }, (_, i) =>
        post(target.url, path, JSON.stringify({ name: `Rusher ${i}`, email: `rush${i}.${run}@bench.example.com` })),
      ),
    );
    const seconds = (performance.now() - started) / 1000;

    const statuses: Record<string, number> = {};
    for (const a of answers) if (a.status > 0) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    const errors = answers.filter((a) => a.status === 0).length;
    const confirmed = statuses['201'] ?? 0;
    const { rows } = await ctx.db.pool.query<{ counted: number; stored: string }>(
      `SELECT s.confirmed_count AS counted,
              (SELECT count(*) FROM registrations r WHERE r.session_id = s.id AND r.status = 'confirmed') AS stored
         FROM sessions s WHERE s.id = $1`,
      [ctx.data.rushSessionId],
    );
    const counted = rows[0].counted;
    const stored = Number(rows[0].stored);
    const notes: string[] = [];
    let unexpected = answers.length - errors - confirmed - (statuses['409'] ?? 0);
    if (confirmed !== SEATS || counted !== SEATS || stored !== SEATS) {
      notes.push(`seats: ${confirmed} answered 201, confirmed_count ${counted}, ${stored} confirmed rows (want ${SEATS})`);
      unexpected += Math.abs(confirmed - SEATS) + Math.abs(stored - SEATS);
    }
    const latencies = answers.map((a) => a.ms);
    const result: Measurement = {
      rps: RUSH / seconds,
      p50Ms: median(latencies),
      p99Ms: percentile(latencies, 0.99),
      unexpected,
      errors,
      statuses,
      notes,
    };
    return result;
  },
};

/** One POST on its own connection; status 0 on a connection error. */
function post(baseUrl: string, path: string, body: string): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(`${baseUrl}${path}`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' },
      timeout: 30_000,
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
