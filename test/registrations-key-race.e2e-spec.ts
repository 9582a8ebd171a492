import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { BuiltServer, startBuiltServer } from './support/built-server';
import { lockWaiters } from './support/session-locks';
import { BASE_URL, createTestApp, TestApp } from './support/test-app';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

/**
 * One email, two Idempotency-Keys, at the same moment (issue 9): exactly one place, one 201 and
 * one 409 already-registered, and no key row kept for the attempt that lost, so a retry of its
 * key never replays a 201 for a place that does not exist. Each pair gets a session of its own.
 * Every run shows that both requests of each pair were in flight at once; the held runs also
 * keep the session rows locked until every request is waiting on its lock, so both of every pair
 * are past their first checks and the loser meets the winner's email only at the unique index.
 * The two-instance runs need `npm run build` first (`npm test` does it).
 */
const PAIRS = 20;
// Every request of a wave holds a pool connection while it waits: 20 per instance by default, one
// of them kept for LISTEN.
const PAIRS_PER_WAVE = 8;

type Answer = { key: string; status: number; type?: string; manageToken?: string; text: string; sentAt: number; answeredAt: number };
type Pair = {
  sessionId: string;
  email: string;
  keys: [string, string];
  answers: Answer[];
  /** Held runs: how many of the wave's requests were seen waiting on the session locks at once. */
  lockWait?: { waiting: number; sent: number };
};

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

async function withDb<T>(databaseUrl: string, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

function register(url: string, pair: Pair, key: string): Promise<Answer> {
  const sentAt = performance.now();
  return fetch(`${url}/sessions/${pair.sessionId}/registrations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify({ name: 'Twin', email: pair.email }),
  }).then(async (res) => {
    const text = await res.text();
    const body = JSON.parse(text) as { type?: string; manageToken?: string };
    return { key, status: res.status, type: body.type, manageToken: body.manageToken, text, sentAt, answeredAt: performance.now() };
  });
}

/** Both keys of pair number `i` at once, on different instances when there are two. */
async function firePair(urls: [string, string], pair: Pair, i: number): Promise<void> {
  pair.answers = await Promise.all(pair.keys.map((key, side) => register(urls[(i + side) % 2], pair, key)));
}

/** Fires every pair of a wave at once behind locks on their sessions, and releases them together once all wait. */
async function raceWave(databaseUrl: string, urls: [string, string], wave: Pair[]): Promise<void> {
  // Watched from a connection of its own: inside a transaction pg_stat_activity keeps its first snapshot.
  await withDb(databaseUrl, (watcher) =>
    withDb(databaseUrl, async (holder) => {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM sessions WHERE id = ANY($1::uuid[]) FOR UPDATE`, [wave.map((p) => p.sessionId)]);
      const inFlight = wave.map((pair, i) => firePair(urls, pair, i));
      // Within the 8 s statement_timeout the waiting requests run under.
      const deadline = Date.now() + 7000;
      let waiting = 0;
      while ((waiting = (await lockWaiters(watcher)).length) < 2 * wave.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      wave.forEach((pair) => (pair.lockWait = { waiting, sent: 2 * wave.length }));
      await holder.query('COMMIT');
      await Promise.all(inFlight);
    }),
  );
}

/** Fires every pair at once; `held` releases them in waves from behind the session locks (see above). */
async function racePairs(databaseUrl: string, urls: [string, string], label: string, held: boolean): Promise<Pair[]> {
  const pairs = await withDb(databaseUrl, async (db) => {
    const event = await db.query<{ id: string }>(
      `INSERT INTO events (slug, title, timezone, status) VALUES ($1, 'Key race', 'America/Los_Angeles', 'published') RETURNING id`,
      [`key-race-${label}`],
    );
    const sessions = await db.query<{ id: string }>(
      `INSERT INTO sessions (event_id, starts_at, ends_at, timezone, capacity, waitlist_enabled)
       SELECT $1, now() + interval '10 days', now() + interval '10 days 2 hours', 'America/Los_Angeles', 10, false
         FROM generate_series(1, $2) RETURNING id`,
      [event.rows[0].id, PAIRS],
    );
    return sessions.rows.map((s, i): Pair => ({
      sessionId: s.id,
      email: `twin${i}@example.com`,
      keys: [`${label}-${i}-a`, `${label}-${i}-b`],
      answers: [],
    }));
  });
  if (!held) {
    await Promise.all(pairs.map((pair, i) => firePair(urls, pair, i)));
    return pairs;
  }
  for (let start = 0; start < pairs.length; start += PAIRS_PER_WAVE) {
    await raceWave(databaseUrl, urls, pairs.slice(start, start + PAIRS_PER_WAVE));
  }
  return pairs;
}

/** Everything each pair must show afterwards, in the API and in the tables. */
async function expectOnePlacePerPair(databaseUrl: string, url: string, pairs: Pair[]): Promise<void> {
  // Proof of overlap: both requests of every pair were in flight at once (each sent before the
  // other was answered); held runs also saw every request of a wave waiting on the locks together.
  const apart = pairs.filter(({ answers: [a, b] }) => !(a.sentAt < b.answeredAt && b.sentAt < a.answeredAt));
  expect(apart.map((pair) => pair.answers.map(({ sentAt, answeredAt }) => ({ sentAt, answeredAt })))).toEqual([]);
  expect(pairs.filter((pair) => pair.lockWait && pair.lockWait.waiting !== pair.lockWait.sent).map((pair) => pair.lockWait)).toEqual([]);
  const oneWinnerOneRefused = (pair: Pair): boolean =>
    pair.answers
      .map((a) => `${a.status} ${a.type ?? ''}`)
      .sort()
      .join() === `201 ,409 ${BASE_URL}/problems/already-registered`;
  const wrong = pairs.filter((pair) => !oneWinnerOneRefused(pair));
  if (wrong.length > 0) {
    const example = wrong[0].answers.map((a) => ({ status: a.status, type: a.type, body: a.text.slice(0, 80) }));
    throw new Error(
      `${wrong.length} of ${pairs.length} pairs did not get one 201 and one 409 already-registered, e.g. ${JSON.stringify(example)}`,
    );
  }
  for (const pair of pairs) {
    const winner = pair.answers.find((a) => a.status === 201)!;
    const loser = pair.answers.find((a) => a.status === 409)!;
    expect((await fetch(`${url}/registrations/${winner.manageToken}`)).status).toBe(200);

    // The losing key was freed: a retry is refused again, never a replayed 201.
    const retry = await register(url, pair, loser.key);
    expect({ status: retry.status, type: retry.type }).toEqual({ status: 409, type: `${BASE_URL}/problems/already-registered` });
    // The winning key still replays its own answer.
    expect((await register(url, pair, winner.key)).text).toBe(winner.text);
    // Only the winner's key is stored: neither the losing attempt nor its retry left one.
    const keyRows = await withDb(databaseUrl, (db) =>
      db.query<{ key_hash: Buffer }>(`SELECT key_hash FROM idempotency_keys WHERE key_hash = ANY($1::bytea[])`, [pair.keys.map(sha256)]),
    );
    expect(keyRows.rows.map((r) => r.key_hash)).toEqual([sha256(winner.key)]);
  }
  const counts = await withDb(databaseUrl, (db) =>
    db.query<{ confirmed_count: number; n: number }>(
      `SELECT s.confirmed_count, (SELECT count(*)::int FROM registrations r WHERE r.session_id = s.id) AS n
         FROM sessions s WHERE s.id = ANY($1::uuid[])`,
      [pairs.map((p) => p.sessionId)],
    ),
  );
  expect(counts.rows).toEqual(pairs.map(() => ({ confirmed_count: 1, n: 1 })));
}

const RUNS: [string, boolean][] = [
  ['held behind the session locks until all wait', true],
  ['fired freely', false],
];

describe('two keys, one email, at once: one place, one 201, one 409, and no key kept for the loser', () => {
  describe('in one instance', () => {
    let t: TestApp;
    let url: string;
    beforeAll(async () => {
      t = await createTestApp();
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      url = await t.app.getUrl();
    });
    afterAll(() => t?.close());

    it.each(RUNS)(`${PAIRS} pairs, %s`, async (_how, held) => {
      const pairs = await racePairs(t.databaseUrl, [url, url], held ? 'one-held' : 'one-free', held);
      await expectOnePlacePerPair(t.databaseUrl, url, pairs);
    });
  });

  describe('over two instances on one database', () => {
    let databaseUrl: string;
    let instances: BuiltServer[] = [];
    beforeAll(async () => {
      databaseUrl = await createTestDatabase();
      const env = { DATABASE_URL: databaseUrl, RATE_LIMIT: 'off', SEED_DEMO: 'false', PUBLIC_BASE_URL: BASE_URL };
      instances = await Promise.all([startBuiltServer(env), startBuiltServer(env)]);
    }, 60_000);
    afterAll(async () => {
      await Promise.all(instances.map((instance) => instance.stop()));
      if (databaseUrl) await dropTestDatabase(databaseUrl);
    });

    it.each(RUNS)(`${PAIRS} pairs, %s, the two keys of each pair on different instances`, async (_how, held) => {
      const pairs = await racePairs(databaseUrl, [instances[0].url, instances[1].url], held ? 'two-held' : 'two-free', held);
      await expectOnePlacePerPair(databaseUrl, instances[0].url, pairs);
    });
  });
});
