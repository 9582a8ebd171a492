import { Client } from 'pg';
import { startBuiltServer, BuiltServer } from './support/built-server';
import { RestartablePostgres } from './support/restartable-postgres';

/**
 * Fault tests on the built server (what production runs) over an embedded PostgreSQL that the
 * test stops and starts while registrations flow.
 */
const ADMIN = { email: 'admin@example.com', password: 'a-long-enough-password' };

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

async function staffToken(url: string): Promise<string> {
  const res = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  return (await json(res)).accessToken as string;
}

async function createSession(url: string, token: string, session: Record<string, unknown>): Promise<string> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const event = await json(
    await fetch(`${url}/admin/events`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'Fault drill', timezone: 'UTC', status: 'published' }),
    }),
  );
  const day = 86_400_000;
  const body = {
    startsAt: new Date(Date.now() + day).toISOString(),
    endsAt: new Date(Date.now() + day + 3600_000).toISOString(),
    ...session,
  };
  const created = await json(
    await fetch(`${url}/admin/events/${event.id}/sessions`, { method: 'POST', headers, body: JSON.stringify(body) }),
  );
  return created.id as string;
}

interface Outcome {
  status: number;
  ms: number;
  id?: string;
  retryAfter: string | null;
  at: number;
}

/** Sends registrations from `workers` concurrent loops until `until()` says stop. */
async function registrationLoad(url: string, sessionId: string, workers: number, until: () => boolean): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let n = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!until()) {
        const i = n++;
        const started = Date.now();
        try {
          const res = await fetch(`${url}/sessions/${sessionId}/registrations`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: `Load ${i}`, email: `load${i}@example.com` }),
            signal: AbortSignal.timeout(15_000),
          });
          const body = await json(res);
          outcomes.push({
            status: res.status,
            ms: Date.now() - started,
            id: body.id as string | undefined,
            retryAfter: res.headers.get('retry-after'),
            at: started,
          });
        } catch {
          outcomes.push({ status: 0, ms: Date.now() - started, retryAfter: null, at: started });
        }
      }
    }),
  );
  return outcomes;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ready = (url: string) => async () => (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3000) })).status === 200;
const notReady = (url: string) => async () => (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3000) })).status === 503;

describe('faults', () => {
  let pg: RestartablePostgres;
  let server: BuiltServer | undefined;

  beforeEach(async () => {
    pg = await RestartablePostgres.start();
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await pg.exit();
  });

  it('a database restart under load: 503 with Retry-After within 2 s, recovery within 2 s, every 201 kept', async () => {
    server = await startBuiltServer({ DATABASE_URL: pg.url, RATE_LIMIT: 'off', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    const url = server.url;
    const sessionId = await createSession(url, await staffToken(url), { capacity: null });

    let done = false;
    const load = registrationLoad(url, sessionId, 8, () => done);
    await new Promise((r) => setTimeout(r, 1000));

    const stoppedAt = Date.now();
    await pg.stop();
    const downAfter = await waitFor(notReady(url), 2000);
    await new Promise((r) => setTimeout(r, 1500));
    let sentWhileDown = 0;
    const downOutcomes = await registrationLoad(url, sessionId, 4, () => sentWhileDown++ >= 4);
    expect(downOutcomes).toHaveLength(4);
    for (const o of downOutcomes) {
      expect(o.status).toBe(503);
      expect(o.retryAfter).not.toBeNull();
      expect(o.ms).toBeLessThan(2000);
    }

    const startedAt = Date.now();
    await pg.restart();
    const upAfter = await waitFor(ready(url), 2000);
    await new Promise((r) => setTimeout(r, 1000));
    done = true;
    const outcomes = await load;

    // Nothing hung: every request answered within the contract's bound, failures were 503s.
    expect(outcomes.every((o) => o.ms < 10_000)).toBe(true);
    expect(outcomes.filter((o) => o.status !== 201 && o.status !== 503)).toEqual([]);
    expect(outcomes.filter((o) => o.at > stoppedAt && o.at < startedAt && o.status === 503).length).toBeGreaterThan(0);
    const afterRecovery = outcomes.filter((o) => o.at > startedAt + upAfter);
    expect(afterRecovery.some((o) => o.status === 201)).toBe(true);

    const created = outcomes.filter((o) => o.status === 201).map((o) => o.id as string);
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM registrations WHERE id = ANY($1::uuid[])`, [
      created,
    ]);
    const counters = await client.query<{ confirmed_count: number; rows: number }>(
      `SELECT s.confirmed_count, (SELECT count(*)::int FROM registrations r WHERE r.session_id = s.id AND r.status = 'confirmed') AS rows FROM sessions s WHERE s.id = $1`,
      [sessionId],
    );
    await client.end();
    expect(rows[0].n).toBe(created.length);
    expect(counters.rows[0].confirmed_count).toBe(counters.rows[0].rows);
    expect(downAfter).toBeLessThan(2000);
    expect(upAfter).toBeLessThan(2000);
  });

  it('two instances, 1000 registrations for 50 seats, the database restarted in the middle: exactly 50 confirmed', async () => {
    const env = { DATABASE_URL: pg.url, RATE_LIMIT: 'off', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };
    const a = await startBuiltServer(env);
    const b = await startBuiltServer(env);
    server = a;
    try {
      const sessionId = await createSession(a.url, await staffToken(a.url), { capacity: 50 });
      const answers: { status: number; id?: string }[] = [];
      let next = 0;
      let restarted = false;
      const worker = async (): Promise<void> => {
        while (next < 1000) {
          const i = next++;
          if (i === 30 && !restarted) {
            restarted = true;
            await pg.stop();
            await pg.restart();
          }
          const url = (i % 2 === 0 ? a : b).url;
          // A 503 while the database is away is retried, as a client honouring Retry-After would.
          for (let attempt = 0; ; attempt++) {
            const res = await fetch(`${url}/sessions/${sessionId}/registrations`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ name: `Rush ${i}`, email: `rush${i}@example.com` }),
              signal: AbortSignal.timeout(15_000),
            });
            const body = await json(res);
            if (res.status === 503 && attempt < 20) {
              await new Promise((r) => setTimeout(r, 250));
              continue;
            }
            answers.push({ status: res.status, id: body.id as string | undefined });
            break;
          }
        }
      };
      await Promise.all(Array.from({ length: 40 }, worker));
      expect(restarted).toBe(true);
      const statuses = answers.map((x) => x.status);
      // A retry after a 503 may find its own earlier attempt committed: already-registered is then right.
      expect(statuses.filter((st) => st !== 201 && st !== 409)).toEqual([]);
      const created = answers.filter((x) => x.status === 201).map((x) => x.id as string);
      expect(created.length).toBeLessThanOrEqual(50);
      const client = new Client({ connectionString: pg.url });
      await client.connect();
      const { rows } = await client.query<{ confirmed: number; counter: number; kept: number }>(
        `SELECT (SELECT count(*)::int FROM registrations WHERE session_id = $1 AND status = 'confirmed') AS confirmed,
                (SELECT confirmed_count FROM sessions WHERE id = $1) AS counter,
                (SELECT count(*)::int FROM registrations WHERE id = ANY($2::uuid[])) AS kept`,
        [sessionId, created],
      );
      await client.end();
      expect(rows[0]).toEqual({ confirmed: 50, counter: 50, kept: created.length });
    } finally {
      expect(await b.stop()).toBe(0);
    }
  });
});
