import { Client } from 'pg';
import { BuiltServer, startBuiltServer } from './support/built-server';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

/**
 * Capacity across service instances: two processes of the built server on one database, a
 * thousand registrations spread over both with real concurrency. Needs `npm run build` first
 * (`npm test` does it).
 */
const SEATS = 50;
const REQUESTS = 1000;
const IN_FLIGHT = 80;

let databaseUrl: string;
let instances: BuiltServer[] = [];

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  const env = { DATABASE_URL: databaseUrl, RATE_LIMIT: 'off', SEED_DEMO: 'false' };
  instances = await Promise.all([startBuiltServer(env), startBuiltServer(env)]);
}, 60_000);

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

it(`${REQUESTS} registrations for ${SEATS} seats over two instances: exactly ${SEATS} confirmed, the rest sold out, no 5xx`, async () => {
  const sessionId = await withDb(async (db) => {
    const event = await db.query(
      `INSERT INTO events (slug, title, timezone, status) VALUES ('instances', 'Instances', 'America/Los_Angeles', 'published') RETURNING id`,
    );
    const session = await db.query(
      `INSERT INTO sessions (event_id, starts_at, ends_at, timezone, capacity, waitlist_enabled)
       VALUES ($1, now() + interval '10 days', now() + interval '10 days 2 hours', 'America/Los_Angeles', $2, false) RETURNING id`,
      [event.rows[0].id, SEATS],
    );
    return session.rows[0].id as string;
  });

  const answers: { instance: number; status: number; type?: string; detail?: string }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < REQUESTS) {
      const i = next++;
      const instance = i % instances.length;
      const res = await fetch(`${instances[instance].url}/sessions/${sessionId}/registrations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `Person ${i}`, email: `person${i}@example.com` }),
      });
      const body = (await res.json()) as { type?: string; detail?: string };
      answers.push({ instance, status: res.status, type: body.type, detail: body.detail });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

  const count = (pred: (a: (typeof answers)[number]) => boolean): number => answers.filter(pred).length;
  expect(answers).toHaveLength(REQUESTS);
  // A red run says what went wrong: the failing answers, and what the servers logged.
  const failed = answers.filter((a) => a.status >= 500);
  if (failed.length > 0) {
    const logs = instances.map((instance, n) => `instance ${n}:\n${instance.output().slice(-4000)}`).join('\n');
    throw new Error(`${failed.length} answers were 5xx, e.g. ${JSON.stringify(failed.slice(0, 3))}\n${logs}`);
  }
  expect(count((a) => a.status === 201)).toBe(SEATS);
  expect(count((a) => a.status === 409 && a.type?.endsWith('/problems/sold-out') === true)).toBe(REQUESTS - SEATS);
  // Both instances really took part in selling the seats.
  for (let n = 0; n < instances.length; n++) expect(count((a) => a.instance === n && a.status === 201)).toBeGreaterThan(0);

  const [stored, rows] = await withDb((db) =>
    Promise.all([
      db.query(`SELECT confirmed_count, waitlisted_count FROM sessions WHERE id = $1`, [sessionId]),
      db.query(`SELECT status, count(*)::int AS n FROM registrations WHERE session_id = $1 GROUP BY status`, [sessionId]),
    ]),
  );
  expect(stored.rows[0]).toEqual({ confirmed_count: SEATS, waitlisted_count: 0 });
  expect(rows.rows).toEqual([{ status: 'confirmed', n: SEATS }]);
}, 60_000);

async function withDb<T>(fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}
