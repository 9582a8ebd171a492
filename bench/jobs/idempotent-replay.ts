import type { BenchJob } from '../lib/job';
import { runLoad } from '../lib/load';
import { resetSession } from '../lib/seed';

const KEY = 'bench-replay-key';
const BODY = JSON.stringify({ name: 'Replay Attendee', email: 'replay@bench.example.com' });

/** A client retrying one registration: the same Idempotency-Key and body, answered from the stored first answer. */
export const idempotentReplay: BenchJob = {
  id: 'idempotent-replay',
  title: 'POST registration, replayed Idempotency-Key',
  beforeRun: async (ctx, target) => {
    await resetSession(ctx.db.pool, ctx.data.hotSessionId);
    const first = await fetch(`${target.url}/sessions/${ctx.data.hotSessionId}/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': KEY },
      body: BODY,
    });
    await first.arrayBuffer();
    if (first.status !== 201) throw new Error(`${target.name}: the first registration answered ${first.status}`);
  },
  measure: (ctx, target, duration) =>
    runLoad(
      target.url,
      {
        method: 'POST',
        path: `/sessions/${ctx.data.hotSessionId}/registrations`,
        headers: { 'idempotency-key': KEY },
        body: BODY,
        expect: [201],
      },
      { connections: ctx.config.connections, duration },
    ),
};
