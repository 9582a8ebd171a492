import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import { idempotencyMaterial, sealResponse } from '../src/registrations/idempotency';
import { factories, Factories } from './factories';
import { holdSession, listeningWithConnection, lockWaiters } from './support/session-locks';
import { BASE_URL, createTestApp, TestApp } from './support/test-app';
import { until } from './support/until';

/**
 * Registering holds the session's row lock only inside PostgreSQL (one statement), never while
 * PostgreSQL waits for this process; and the Idempotency-Key answers that this design stores in
 * two parts replay as before.
 */
let t: TestApp;
let f: Factories;
let url: string;
let db: Client;

beforeAll(async () => {
  t = await createTestApp();
  f = await factories(t);
  ({ url, db } = await listeningWithConnection(t));
});

afterAll(async () => {
  await db?.end();
  await t?.close();
});

function register(sessionId: string, body: { name: string; email: string }, key?: string): Promise<{ status: number; text: string }> {
  return fetch(`${url}/sessions/${sessionId}/registrations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}) },
    body: JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, text: await res.text() }));
}

// The lock waiter of the test below: a process of its own, so it runs while this one is blocked.
const LOCK_WAITER = `
  const { Client } = require('pg');
  const [databaseUrl, sessionId] = process.argv.slice(1);
  (async () => {
    const c = new Client({ connectionString: databaseUrl });
    await c.connect();
    await c.query("SET lock_timeout = '10s'");
    const { rows } = await c.query('SELECT confirmed_count FROM sessions WHERE id = $1 FOR UPDATE', [sessionId]);
    console.log(JSON.stringify(rows[0]));
    await c.end();
  })().catch((error) => console.log(JSON.stringify({ error: error.message })));`;

it("a registration finishes and lets go of the session's lock while this process's event loop is blocked", async () => {
  const session = await f.publishedSession({ capacity: 5 });
  const holder = new Client({ connectionString: t.databaseUrl });
  holder.on('error', () => undefined);
  await holder.connect();
  const [{ pid }] = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
  // Holds the lock for 3 s and lets go by itself: no round trip to this process is needed.
  const held = holder.query(`BEGIN; SELECT 1 FROM sessions WHERE id = '${session.id}' FOR UPDATE; SELECT pg_sleep(3); COMMIT`);
  await until(async () => {
    const { rows } = await db.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event = 'PgSleep'`, [pid]);
    return rows.length === 1;
  }, 10_000);
  const answer = register(session.id, { name: 'Blocked Loop', email: 'blocked-loop@example.com' });
  await until(async () => (await lockWaiters(db)).length === 1, 2500);

  // spawnSync blocks this process (the app included) until the waiter has the lock. It queues
  // behind the registration, so it gets the lock only once the registration has let go of it:
  // had the registration to come back to this process in between (lock, then another statement),
  // the waiter would wait for the lock until its lock_timeout.
  const waiter = spawnSync(process.execPath, ['-e', LOCK_WAITER, t.databaseUrl, session.id], { encoding: 'utf8', timeout: 30_000 });
  expect(JSON.parse(waiter.stdout)).toEqual({ confirmed_count: 1 });

  expect((await answer).status).toBe(201);
  await held;
  await holder.end();
}, 40_000);

it('two requests with one Idempotency-Key and different bodies, racing on the lock: one place, 201 and 422', async () => {
  const session = await f.publishedSession({ capacity: 5 });
  const lock = await holdSession(t.databaseUrl, session.id);
  const answers = [
    register(session.id, { name: 'Twin', email: 'twin-a@example.com' }, 'key-twins'),
    register(session.id, { name: 'Twin', email: 'twin-b@example.com' }, 'key-twins'),
  ];
  // Both are past the key lookup (neither saw a stored answer) before either can register.
  await until(async () => (await lockWaiters(db)).length === 2, 10_000);
  await lock.release();
  const settled = await Promise.all(answers);
  expect(settled.map((a) => a.status).sort()).toEqual([201, 422]);
  const problem = JSON.parse(settled.find((a) => a.status === 422)!.text) as { type: string };
  expect(problem.type).toBe(`${BASE_URL}/problems/idempotency-conflict`);
  const { rows } = await db.query(`SELECT email FROM registrations WHERE session_id = $1`, [session.id]);
  expect(rows).toEqual([{ email: (JSON.parse(settled.find((a) => a.status === 201)!.text) as { email: string }).email }]);
  const [{ confirmed_count }] = (await db.query(`SELECT confirmed_count FROM sessions WHERE id = $1`, [session.id])).rows;
  expect(confirmed_count).toBe(1);
});

it('an answer stored whole (before IdempotencyAnswerFacts) is replayed as it was stored', async () => {
  const session = await f.publishedSession({ capacity: 5 });
  const body = { name: 'Stored Whole', email: 'stored-whole@example.com' };
  const material = idempotencyMaterial('key-stored-whole', session.id, body);
  const first = { id: '11111111-1111-4111-8111-111111111111', status: 'confirmed', ...body, manageToken: 'T'.repeat(43) };
  await db.query(`INSERT INTO idempotency_keys (key_hash, request_hash, response_status, response_body) VALUES ($1, $2, 201, $3)`, [
    material.keyHash,
    material.requestHash,
    sealResponse(material.cipherKey, JSON.stringify(first), material.requestHash),
  ]);
  const again = await register(session.id, body, 'key-stored-whole');
  expect(again).toEqual({ status: 201, text: JSON.stringify(first) });
});
