import type { BenchJob } from '../lib/job';
import type { Measurement } from '../lib/load';
import { resetSession } from '../lib/seed';
import { median, percentile } from '../lib/stats';

const RETRIES = 10;
const ROUNDS = 50;

/**
 * A client whose network hiccups: the same registration sent 10 times at once with one
 * Idempotency-Key, 50 times over. Each burst must leave exactly one registration and ten
 * identical answers; anything else is counted as unexpected.
 */
export const idempotencyRace: BenchJob = {
  id: 'idempotency-race',
  title: `${RETRIES} concurrent retries of one Idempotency-Key (x${ROUNDS})`,
  beforeRun: (ctx) => resetSession(ctx.db.pool, ctx.data.hotSessionId),
  measure: async (ctx, target) => {
    const run = `${target.name}-${Date.now().toString(36)}`;
    const url = `${target.url}/sessions/${ctx.data.hotSessionId}/registrations`;
    const statuses: Record<string, number> = {};
    const notes: string[] = [];
    const latencies: number[] = [];
    let unexpected = 0;
    const started = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      const key = `race-${run}-${round}`;
      const body = JSON.stringify({ name: 'Retrying Attendee', email: `race${round}.${run}@bench.example.com` });
      const answers = await Promise.all(
        Array.from({ length: RETRIES }, async () => {
          const t0 = performance.now();
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body });
          const text = await res.text();
          latencies.push(performance.now() - t0);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          return { status: res.status, text };
        }),
      );
      const distinct = new Set(answers.map((a) => `${a.status} ${a.text}`));
      const { rows } = await ctx.db.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM registrations WHERE session_id = $1 AND email = $2`,
        [ctx.data.hotSessionId, `race${round}.${run}@bench.example.com`],
      );
      if (distinct.size !== 1 || answers[0].status !== 201 || Number(rows[0].n) !== 1) {
        unexpected += 1;
        notes.push(`round ${round}: ${distinct.size} distinct answers, ${rows[0].n} registrations`);
      }
    }
    const result: Measurement = {
      rps: (RETRIES * ROUNDS) / ((performance.now() - started) / 1000),
      p50Ms: median(latencies),
      p99Ms: percentile(latencies, 0.99),
      unexpected,
      errors: 0,
      statuses,
      notes,
    };
    return result;
  },
};
