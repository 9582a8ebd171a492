import { Client } from 'pg';
import { Database, type Statement } from '../src/database/database';
import type { KeyedBatcher } from '../src/registrations/keyed-batcher';
import { REGISTER_BATCH_SQL } from '../src/registrations/registrations.queries';
import { RegistrationsService } from '../src/registrations/registrations.service';
import { factories, Factories } from './factories';
import { holdSession, listeningWithConnection, lockWaiters } from './support/session-locks';
import { createTestApp, TestApp } from './support/test-app';
import { until } from './support/until';

/**
 * Registrations without an Idempotency-Key that arrive while their session is busy are judged
 * together, one statement per batch. Each item must come out as if registered one by one in
 * arrival order: repeats, emails already placed, the last seats, and a twin committed by someone
 * else while the batch waited for the lock. The statement's calls are observed (not replaced), so
 * each test shows the batches it claims.
 */
let t: TestApp;
let f: Factories;
let url: string;
let db: Client;
let batches: { size: number; emails: string[]; conflicted: number; failed: boolean }[];
/** Awaited before a batch statement is sent: lets a test fix which batch reaches the lock first. */
let beforeBatch: (emails: string[]) => Promise<void>;

beforeAll(async () => {
  t = await createTestApp();
  f = await factories(t);
  ({ url, db } = await listeningWithConnection(t));
  const database = t.app.get(Database);
  const query = database.query.bind(database);
  jest.spyOn(database, 'query').mockImplementation(async <T>(statement: string | Statement, params?: unknown[]): Promise<T[]> => {
    const emails = statement === REGISTER_BATCH_SQL ? (params![3] as string[]) : [];
    const size = emails.length;
    if (size > 0) await beforeBatch(emails);
    let rows: T[];
    try {
      rows = await query<T>(statement, params);
    } catch (error) {
      if (size > 0) batches.push({ size, emails, conflicted: 0, failed: true });
      throw error;
    }
    if (size > 0)
      batches.push({ size, emails, conflicted: rows.filter((r) => (r as { conflicted: boolean }).conflicted).length, failed: false });
    return rows;
  });
});

beforeEach(() => {
  batches = [];
  beforeBatch = async () => undefined;
});

afterAll(async () => {
  await db?.end();
  await t?.close();
});

interface Answer {
  status: number;
  body: { status?: string; waitlistPosition?: number; type?: string; email?: string };
}

function register(sessionId: string, email: string): Promise<Answer> {
  return fetch(`${url}/sessions/${sessionId}/registrations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: email.split('@')[0], email }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as Answer['body'] }));
}

const problem = (a: Answer): string | undefined => a.body.type?.split('/').pop();

function queued(sessionId: string): { running: number; waiting: number } {
  return (t.app.get(RegistrationsService)['batches'] as KeyedBatcher<unknown, unknown>).state(sessionId);
}

async function stored(sessionId: string): Promise<Record<string, unknown>> {
  const { rows } = await db.query(
    `SELECT s.capacity, s.confirmed_count, s.waitlisted_count,
            (SELECT count(*)::int FROM registrations r WHERE r.session_id = s.id AND r.status = 'confirmed') AS confirmed,
            (SELECT count(*)::int FROM registrations r WHERE r.session_id = s.id AND r.status = 'waitlisted') AS waitlisted
       FROM sessions s WHERE s.id = $1`,
    [sessionId],
  );
  return rows[0] as Record<string, unknown>;
}

it('a rush with every email sent twice: one place per email, exact seats, the waitlist in arrival order', async () => {
  const EMAILS = 200;
  const SEATS = 120;
  const session = await f.publishedSession({ capacity: SEATS, waitlistEnabled: true });
  const emails = Array.from({ length: EMAILS }, (_, i) => `twice${i}@example.com`);
  // The lock is held until requests queue behind the two statements in flight: batches form
  // however quickly a slow run (coverage, open-handle checks) lets each statement finish.
  const lock = await holdSession(t.databaseUrl, session.id);
  const answering = Promise.all([...emails, ...emails].map((email) => register(session.id, email)));
  await until(() => queued(session.id).waiting >= 10, 10_000);
  await lock.release();
  const answers = await answering;

  expect(Math.max(...batches.map((b) => b.size))).toBeGreaterThanOrEqual(10);
  expect(batches.filter((b) => b.failed)).toEqual([]);
  expect(batches.reduce((n, b) => n + b.size, 0)).toBe(2 * EMAILS);
  const placed = answers.filter((a) => a.status === 201);
  expect(placed.map((a) => a.body.email).sort()).toEqual([...emails].sort());
  expect(answers.filter((a) => a.status !== 201).map(problem)).toEqual(Array(EMAILS).fill('already-registered'));
  expect(placed.filter((a) => a.body.status === 'confirmed')).toHaveLength(SEATS);

  // Seats went to the first arrivals and the waitlist follows queue order, as the answers said.
  const { rows } = await db.query<{ email: string; status: string }>(
    `SELECT email, status FROM registrations WHERE session_id = $1 ORDER BY queue_number`,
    [session.id],
  );
  expect(rows.map((r) => r.status)).toEqual([...Array(SEATS).fill('confirmed'), ...Array(EMAILS - SEATS).fill('waitlisted')]);
  const position = new Map(placed.map((a) => [a.body.email, a.body.waitlistPosition]));
  expect(rows.slice(SEATS).map((r) => position.get(r.email))).toEqual(Array.from({ length: EMAILS - SEATS }, (_, i) => i + 1));
  expect(await stored(session.id)).toEqual({
    capacity: SEATS,
    confirmed_count: SEATS,
    waitlisted_count: EMAILS - SEATS,
    confirmed: SEATS,
    waitlisted: EMAILS - SEATS,
  });
}, 60_000);

it('one batch across the last seat: a placed email, a repeat, the last seat, then sold out', async () => {
  const session = await f.publishedSession({ capacity: 4 });
  expect((await register(session.id, 'placed@example.com')).status).toBe(201);
  const lock = await holdSession(t.databaseUrl, session.id);
  // Two batches of one wait on the lock; the four behind them gather into the next batch.
  const first = [register(session.id, 'a@example.com'), register(session.id, 'b@example.com')];
  await until(async () => (await lockWaiters(db)).length === 2, 10_000);
  // The group's statement starts when a's batch ends, and could take the row from b, which
  // PostgreSQL wakes to follow a's update: it waits for both answers so b keeps its seat.
  const firstAnswers = Promise.all(first);
  beforeBatch = async (emails) => {
    if (emails.length === 4) await firstAnswers;
  };
  const group = ['placed@example.com', 'c@example.com', 'd@example.com', 'C@example.com'].map((email) => register(session.id, email));
  await until(() => queued(session.id).waiting === 4, 10_000);
  await lock.release();

  expect((await firstAnswers).map((a) => a.body.status)).toEqual(['confirmed', 'confirmed']);
  const answers = await Promise.all(group);
  expect(answers.map((a) => a.status)).toEqual([409, 201, 409, 409]);
  expect(answers.map((a) => (a.status === 201 ? a.body.status : problem(a)))).toEqual([
    'already-registered',
    'confirmed',
    'sold-out',
    'already-registered',
  ]);
  // The gate above sends the group's statement only after the batches ahead have answered.
  expect(batches.map((b) => b.size)).toEqual([1, 1, 1, 4]);
  expect(await stored(session.id)).toEqual({ capacity: 4, confirmed_count: 4, waitlisted_count: 0, confirmed: 4, waitlisted: 0 });
});

describe.each([
  { waitlistEnabled: true, turnedAway: 'waitlisted' },
  { waitlistEnabled: false, turnedAway: 'sold out' },
])('a twin committed while its batch waited for the lock (waitlist $waitlistEnabled)', ({ waitlistEnabled, turnedAway }) => {
  it(`no seat stays free while anyone is ${turnedAway}`, async () => {
    const CAPACITY = 3;
    const session = await f.publishedSession({ capacity: CAPACITY, waitlistEnabled });
    const lock = await holdSession(t.databaseUrl, session.id);
    const first = [register(session.id, 'p1@example.com'), register(session.id, 'p2@example.com')];
    await until(async () => (await lockWaiters(db)).length === 2, 10_000);
    const group = ['x@example.com', 'y@example.com', 'z@example.com'].map((email) => register(session.id, email));
    await until(() => queued(session.id).waiting === 3, 10_000);
    // Cancelling one waiting batch starts the group's statement (and its snapshot) while the lock is still held.
    const [cancelled] = await lockWaiters(db);
    await db.query('SELECT pg_cancel_backend($1)', [cancelled]);
    await until(async () => queued(session.id).waiting === 0 && (await lockWaiters(db)).length === 2, 10_000);
    // Someone else registers x@ (as another instance would) and commits before the group gets the lock.
    await lock.client.query(
      `INSERT INTO registrations (id, session_id, name, email, status, manage_token_hash)
       VALUES (gen_random_uuid(), $1, 'x', 'x@example.com', 'confirmed', sha256(gen_random_uuid()::text::bytea))`,
      [session.id],
    );
    await lock.client.query('UPDATE sessions SET confirmed_count = confirmed_count + 1 WHERE id = $1', [session.id]);
    await lock.release();

    const answers = await Promise.all([...first, ...group]);
    // The group's snapshot missed the twin: the insert's conflict caught it.
    expect(batches.some((b) => b.size === 3 && b.conflicted === 1)).toBe(true);
    expect(answers.filter((a) => a.status === 503)).toHaveLength(1);
    expect(problem(answers[2])).toBe('already-registered');
    const state = await stored(session.id);
    expect(state).toEqual({
      capacity: CAPACITY,
      confirmed_count: CAPACITY,
      waitlisted_count: state.waitlisted,
      confirmed: CAPACITY,
      waitlisted: waitlistEnabled ? 1 : 0,
    });
    const placed = answers.filter((a) => a.status === 201).length;
    expect(placed).toBe(waitlistEnabled ? CAPACITY : CAPACITY - 1);
  });
});

it('an item the database refuses fails alone: the rest of its batch is registered', async () => {
  const session = await f.publishedSession({ capacity: 10 });
  // A stand-in for any failure of one item's own data (no input that passes validation fails so).
  await db.query(`ALTER TABLE registrations ADD CONSTRAINT batch_poison CHECK (name <> 'poison') NOT VALID`);
  try {
    const lock = await holdSession(t.databaseUrl, session.id);
    const first = [register(session.id, 'f1@example.com'), register(session.id, 'f2@example.com')];
    await until(async () => (await lockWaiters(db)).length === 2, 10_000);
    const group = ['ok1@example.com', 'poison@example.com', 'ok2@example.com'].map((email) => register(session.id, email));
    await until(() => queued(session.id).waiting === 3, 10_000);
    await lock.release();

    expect((await Promise.all(first)).map((a) => a.status)).toEqual([201, 201]);
    expect((await Promise.all(group)).map((a) => a.status)).toEqual([201, 500, 201]);
    // The batch of three failed; each was then tried alone, in order. (The two batches ahead of
    // it answer on other connections, so where they land among these is left open.)
    const ofGroup = (b: { emails: string[] }) => b.emails.some((email) => !email.startsWith('f'));
    expect(batches.filter(ofGroup).map((b) => [b.emails, b.failed])).toEqual([
      [['ok1@example.com', 'poison@example.com', 'ok2@example.com'], true],
      [['ok1@example.com'], false],
      [['poison@example.com'], true],
      [['ok2@example.com'], false],
    ]);
    expect(
      batches
        .filter((b) => !ofGroup(b))
        .map((b) => [b.emails, b.failed])
        .sort(),
    ).toEqual([
      [['f1@example.com'], false],
      [['f2@example.com'], false],
    ]);
    expect(await stored(session.id)).toEqual({ capacity: 10, confirmed_count: 4, waitlisted_count: 0, confirmed: 4, waitlisted: 0 });
  } finally {
    await db.query(`ALTER TABLE registrations DROP CONSTRAINT batch_poison`);
  }
});
