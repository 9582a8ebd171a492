import type { Pool } from 'pg';

export interface BenchData {
  /** Published, open, 100,000 seats and a waitlist (never sold out): the row every registration of the hot-row jobs locks. */
  hotSessionId: string;
  /** Published, open, 100 seats and a waitlist: the target of the registration rush. */
  rushSessionId: string;
  /** Seats of the rush session. */
  rushSeats: number;
}

const RUSH_SEATS = 100;

export const SESSIONS_PER_EVENT = 5;
const ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney'];
const CATEGORIES = ['music', 'tech', 'food', 'art', 'sports', 'community'];

/** The sessions the bench loaded so far (fixtures aside). */
export async function countLoadedSessions(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM sessions s JOIN events e ON e.id = s.event_id WHERE e.slug LIKE 'bench-event-%'`,
  );
  return Number(rows[0].n);
}

/**
 * Tops the database up to `total` generated sessions (5 per event), by SQL, so the scale curve can
 * grow one database. Every tenth event is a draft, so the published filter matters. Session i
 * starts at a pseudo-random second between 15 days ago and a year ahead (a multiplicative hash of
 * i, so the layout does not depend on the total); capacities vary, one in seven is unlimited,
 * one in three has a waitlist.
 */
export async function loadSessions(pool: Pool, total: number): Promise<void> {
  const loaded = await countLoadedSessions(pool);
  if (loaded % SESSIONS_PER_EVENT !== 0) throw new Error(`unexpected bench data: ${loaded} sessions`);
  const fromEvent = loaded / SESSIONS_PER_EVENT;
  const toEvent = Math.ceil(total / SESSIONS_PER_EVENT);
  if (toEvent <= fromEvent) return;
  await pool.query(
    `INSERT INTO events (slug, title, summary, description, organizer, category, tags, venue, timezone, status)
     SELECT 'bench-event-' || g, 'Bench event ' || g, 'A benchmark event, number ' || g,
            repeat('A description long enough to look like a real one. ', 8),
            'Bench Org', ($3::text[])[1 + g % cardinality($3::text[])], ARRAY['bench', 'load'],
            jsonb_build_object('name', 'Hall ' || g % 50, 'address', g || ' Main Street', 'city', 'Springfield',
                               'region', null, 'postalCode', '12345', 'country', 'US'),
            ($4::text[])[1 + g % cardinality($4::text[])],
            CASE WHEN g % 10 = 9 THEN 'draft' ELSE 'published' END
       FROM generate_series($1::int, $2::int - 1) g`,
    [fromEvent, toEvent, CATEGORIES, ZONES],
  );
  await pool.query(
    `INSERT INTO sessions (event_id, starts_at, ends_at, timezone, venue, capacity, waitlist_enabled, confirmed_count, waitlisted_count)
     SELECT e.id, x.starts_at, x.starts_at + interval '2 hours', e.timezone,
            CASE WHEN x.i % 4 = 0 THEN jsonb_build_object('name', 'Annex ' || x.i % 7, 'address', null, 'city', 'Springfield',
                                                          'region', null, 'postalCode', null, 'country', 'US') END,
            x.capacity, x.i % 3 = 0,
            least(x.capacity, (x.i * 13) % 120),
            CASE WHEN x.i % 3 = 0 AND x.capacity <= (x.i * 13) % 120 THEN x.i % 9 ELSE 0 END
       FROM events e
       CROSS JOIN generate_series(0, $3::int - 1) k
       CROSS JOIN LATERAL (
         SELECT i,
                date_trunc('second', now()) - interval '15 days' + ((i * 2654435761) % 32832000) * interval '1 second' AS starts_at,
                CASE WHEN i % 7 = 0 THEN NULL ELSE 20 + (i % 20) * 10 END AS capacity
           FROM (SELECT split_part(e.slug, '-', 3)::bigint * $3::int + k AS i) ii
       ) x
      WHERE e.slug LIKE 'bench-event-%' AND split_part(e.slug, '-', 3)::int >= $1::int AND split_part(e.slug, '-', 3)::int < $2::int`,
    [fromEvent, toEvent, SESSIONS_PER_EVENT],
  );
}

/**
 * What autovacuum would do to freshly loaded tables, done now: without statistics the listing
 * is planned as a nested loop over every session plus a sort (about ten times slower), and
 * without a vacuum every first read of a page also writes its hint bits.
 */
export async function settleLoadedData(pool: Pool): Promise<void> {
  await pool.query('VACUUM (ANALYZE)');
}

/**
 * Registrations of an earlier session of a draft event (never listed): the table a running
 * service has. Emptied tables would be analysed as empty after every reset, and the plans a run
 * caches (the email lookup, the outbox's foreign-key check) would be full scans made for them.
 */
const HISTORY_REGISTRATIONS = 50_000;

/** The sessions the registration jobs hammer, apart from the generated ones, and a history of registrations. */
export async function createFixtures(pool: Pool): Promise<BenchData> {
  const historySessionId = await createOpenSession(pool, 'bench-history', HISTORY_REGISTRATIONS);
  await pool.query(`UPDATE events SET status = 'draft' WHERE slug = 'bench-history'`);
  await pool.query(
    `INSERT INTO registrations (session_id, name, email, status, manage_token_hash)
     SELECT $1::uuid, 'Past attendee ' || g, 'past' || g || '@bench.example.com', 'confirmed', sha256(convert_to(g::text, 'UTF8'))
       FROM generate_series(1, $2::int) g`,
    [historySessionId, HISTORY_REGISTRATIONS],
  );
  return {
    hotSessionId: await createOpenSession(pool, 'bench-hot', 100_000),
    rushSessionId: await createOpenSession(pool, 'bench-rush', RUSH_SEATS),
    rushSeats: RUSH_SEATS,
  };
}

/** One published event with one open session of `capacity` seats and a waitlist, starting in 200 days. */
async function createOpenSession(pool: Pool, slug: string, capacity: number): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `WITH ev AS (
       INSERT INTO events (slug, title, timezone, status, venue)
       VALUES ($1::text, 'Hot event ' || $1::text, 'Europe/Berlin', 'published',
               '{"name":"Arena","address":"1 Arena Way","city":"Berlin","region":null,"postalCode":"10115","country":"DE"}')
       RETURNING id, timezone)
     INSERT INTO sessions (event_id, starts_at, ends_at, timezone, capacity, waitlist_enabled)
     SELECT id, date_trunc('second', now()) + interval '200 days', date_trunc('second', now()) + interval '200 days 3 hours', timezone, $2::int, true
       FROM ev RETURNING id`,
    [slug, capacity],
  );
  return rows[0].id;
}

/** Empties a session again: its registrations gone, counters at zero, idempotency keys cleared. */
export async function resetSession(pool: Pool, sessionId: string): Promise<void> {
  await pool.query('DELETE FROM registrations WHERE session_id = $1', [sessionId]);
  await pool.query('UPDATE sessions SET confirmed_count = 0, waitlisted_count = 0 WHERE id = $1', [sessionId]);
  await pool.query('TRUNCATE idempotency_keys');
  await pool.query('VACUUM (ANALYZE) registrations, mail_outbox, sessions');
}
