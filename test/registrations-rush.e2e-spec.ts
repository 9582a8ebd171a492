import { factories, Factories } from './factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * A rush on one session: everyone presses "register" at once. With the session's lock held only
 * inside PostgreSQL the queue in front of it drains fast, so nobody is turned away (no 503 from
 * the per-session queue), and capacity and waitlist come out exact.
 */
const RUSH = 600;
const SEATS = 100;

let t: TestApp;
let f: Factories;

beforeAll(async () => {
  t = await createTestApp();
  f = await factories(t);
});

afterAll(() => t?.close());

it(`${RUSH} registrations at once for ${SEATS} seats with a waitlist: all placed, ${SEATS} confirmed, the waitlist 1..${RUSH - SEATS}`, async () => {
  const session = await f.publishedSession({ capacity: SEATS, waitlistEnabled: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const url = await t.app.getUrl();
  const answers = await Promise.all(
    Array.from({ length: RUSH }, (_, i) =>
      fetch(`${url}/sessions/${session.id}/registrations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `Rusher ${i}`, email: `rusher${i}@example.com` }),
      }).then(async (res) => ({
        status: res.status,
        body: (await res.json()) as { status?: string; waitlistPosition?: number; detail?: string },
      })),
    ),
  );
  const refused = answers.filter((a) => a.status !== 201);
  expect({ refused: refused.length, first: refused[0] }).toEqual({ refused: 0, first: undefined });
  expect(answers.filter((a) => a.body.status === 'confirmed')).toHaveLength(SEATS);
  const positions = answers
    .filter((a) => a.body.status === 'waitlisted')
    .map((a) => a.body.waitlistPosition)
    .sort((x, y) => x! - y!);
  expect(positions).toEqual(Array.from({ length: RUSH - SEATS }, (_, i) => i + 1));

  const [stored] = await t.db.query(
    `SELECT s.confirmed_count, s.waitlisted_count,
            (SELECT count(*)::int FROM registrations r WHERE r.session_id = s.id AND r.status = 'confirmed') AS confirmed,
            (SELECT count(*)::int FROM registrations r WHERE r.session_id = s.id AND r.status = 'waitlisted') AS waitlisted,
            (SELECT count(*)::int FROM mail_outbox o JOIN registrations r ON r.id = o.registration_id WHERE r.session_id = s.id) AS mails
       FROM sessions s WHERE s.id = $1`,
    [session.id],
  );
  expect(stored).toEqual({
    confirmed_count: SEATS,
    waitlisted_count: RUSH - SEATS,
    confirmed: SEATS,
    waitlisted: RUSH - SEATS,
    mails: RUSH,
  });
}, 60_000);
