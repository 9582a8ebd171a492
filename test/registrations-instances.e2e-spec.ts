import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../src/database/resolve-database';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

/**
 * Capacity across service instances: two processes of the built server on one database, a
 * thousand registrations spread over both with real concurrency. Needs `npm run build` first
 * (`npm test` does it).
 */
const MAIN = join(__dirname, '..', 'dist', 'src', 'main.js');
const SEATS = 50;
const REQUESTS = 1000;
const IN_FLIGHT = 80;

interface Instance {
  url: string;
  child: ChildProcess;
  output: string[];
}

let databaseUrl: string;
let instances: Instance[] = [];

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before this spec (npm test does).`);
  databaseUrl = await createTestDatabase();
  instances = await Promise.all([startInstance(databaseUrl), startInstance(databaseUrl)]);
}, 60_000);

afterAll(async () => {
  await Promise.all(instances.map(stopInstance));
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

  const answers: { instance: number; status: number; type?: string }[] = [];
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
      const body = (await res.json()) as { type?: string };
      answers.push({ instance, status: res.status, type: body.type });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

  const count = (pred: (a: (typeof answers)[number]) => boolean): number => answers.filter(pred).length;
  expect(answers).toHaveLength(REQUESTS);
  expect(count((a) => a.status >= 500)).toBe(0);
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

async function startInstance(database: string): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: database,
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      RATE_LIMIT: 'off',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const instance = { url: `http://127.0.0.1:${port}`, child, output };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Instance exited with ${child.exitCode}:\n${output.join('')}`);
    const ready = await fetch(`${instance.url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return instance;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`Instance not ready within 30 s:\n${output.join('')}`);
}

async function stopInstance({ child }: Instance): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
