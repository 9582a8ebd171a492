import { Client } from 'pg';
import { registrationOutcome } from '../src/registrations/registration-rules';
import { alreadyRegisteredWhenFull, REGISTRATION_OUTCOME_SQL, registrationOutcomeSql } from '../src/registrations/registrations.queries';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

/**
 * The registration statement decides with the rule in SQL; registration-rules.ts states it in
 * TypeScript, with its unit tests. Here both judge every combination of values on either side of
 * each boundary, so the SQL is held to the rule those tests describe: REGISTRATION_OUTCOME_SQL,
 * and the statement's way, which asks whether the email holds a place only when the session is
 * full and lets the insert's conflict turn a place into already-registered.
 */
const NOW = new Date('2027-07-01T12:00:00.000Z');
const MS = 1;
const DAY = 86_400_000;
/** Instants around NOW, in milliseconds from it: either side of every comparison with NOW. */
const AROUND = [-DAY, -MS, 0, MS, DAY];

interface Case {
  event_status: 'draft' | 'published' | 'cancelled';
  status: 'scheduled' | 'cancelled';
  starts_at: Date;
  ends_at: Date;
  registration_opens_at: Date | null;
  registration_closes_at: Date | null;
  capacity: number | null;
  confirmed_count: number;
  waitlisted_count: number;
  waitlist_enabled: boolean;
  already_registered: boolean;
  outcome: string;
  /** The statement's decision before its insert. */
  tentative: string;
}

let client: Client;
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  client = new Client({ connectionString: databaseUrl });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

it('REGISTRATION_OUTCOME_SQL gives what registrationOutcome gives, for every combination around each boundary', async () => {
  // Every case is made in SQL (a cross join of the values) and judged there at NOW; each row is
  // then judged again by the TypeScript rule.
  const { rows } = await client.query<Case>(
    `WITH cases AS (
       SELECT ev AS event_status, st AS status,
              $1::timestamptz + make_interval(secs => s / 1000.0) AS starts_at,
              $1::timestamptz + make_interval(secs => e / 1000.0) AS ends_at,
              $1::timestamptz + make_interval(secs => o / 1000.0) AS registration_opens_at,
              $1::timestamptz + make_interval(secs => c / 1000.0) AS registration_closes_at,
              cap AS capacity, conf AS confirmed_count, 0 AS waitlisted_count, wl AS waitlist_enabled, ar AS already_registered,
              $1::timestamptz AS created_at
         FROM unnest(ARRAY['draft', 'published', 'cancelled']) ev,
              unnest(ARRAY['scheduled', 'cancelled']) st,
              unnest($2::int[]) s, unnest($2::int[]) e,
              unnest($2::int[] || NULL::int) o, unnest($2::int[] || NULL::int) c,
              unnest(ARRAY[NULL, 0, 1, 10]) cap, unnest(ARRAY[0, 1, 10, 11]) conf,
              unnest(ARRAY[false, true]) wl, unnest(ARRAY[false, true]) ar
        WHERE e > s
     )
     SELECT *, ${REGISTRATION_OUTCOME_SQL} AS outcome,
            ${registrationOutcomeSql(alreadyRegisteredWhenFull('already_registered'))} AS tentative
       FROM cases`,
    [NOW, AROUND],
  );
  // 3 × 2 event and session states, 10 start/end pairs, 6 × 6 windows, 4 × 4 seats, 2 × 2 flags.
  expect(rows).toHaveLength(3 * 2 * 10 * 6 * 6 * 4 * 4 * 2 * 2);
  const disagreements = rows.filter(
    (r) =>
      registrationOutcome(
        {
          eventStatus: r.event_status,
          status: r.status,
          startsAt: r.starts_at,
          endsAt: r.ends_at,
          registrationOpensAt: r.registration_opens_at,
          registrationClosesAt: r.registration_closes_at,
          capacity: r.capacity,
          confirmedCount: r.confirmed_count,
          waitlistedCount: r.waitlisted_count,
          waitlistEnabled: r.waitlist_enabled,
          alreadyRegistered: r.already_registered,
        },
        NOW,
      ) !== r.outcome,
  );
  expect(disagreements.slice(0, 5)).toEqual([]);
  const placed = (r: Case): boolean => r.tentative === 'confirmed' || r.tentative === 'waitlisted';
  const statementDisagrees = rows.filter((r) => (placed(r) && r.already_registered ? 'already-registered' : r.tentative) !== r.outcome);
  expect(statementDisagrees.slice(0, 5)).toEqual([]);
  // Every outcome the rule knows is reached, so no branch of either went untested.
  expect(new Set(rows.map((r) => r.outcome))).toEqual(
    new Set(['not-found', 'cancelled', 'past', 'closed', 'already-registered', 'confirmed', 'waitlisted', 'sold-out']),
  );
});
