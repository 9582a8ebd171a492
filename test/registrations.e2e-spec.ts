import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { IdempotencyKeySweeper } from '../src/registrations/idempotency-store';
import { factories, Factories, inDays } from './factories';
import { BASE_URL, createTestApp, TestApp } from './support/test-app';

let t: TestApp;
let f: Factories;

beforeAll(async () => {
  t = await createTestApp();
  f = await factories(t);
});

afterAll(() => t?.close());

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();
const problemType = (slug: string): string => `${BASE_URL}/problems/${slug}`;

async function expectProblem(
  res: { status: number; body: { type?: string }; headers: Record<string, string> },
  status: number,
  slug: string,
) {
  expect({ status: res.status, type: res.body.type }).toEqual({ status, type: problemType(slug) });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

/** The session's stored counters, and what its registration rows say they should be. */
async function counters(sessionId: string) {
  const [stored] = await t.db.query(`SELECT confirmed_count, waitlisted_count FROM sessions WHERE id = $1`, [sessionId]);
  const [actual] = await t.db.query(
    `SELECT count(*) FILTER (WHERE status = 'confirmed')::int AS confirmed, count(*) FILTER (WHERE status = 'waitlisted')::int AS waitlisted
       FROM registrations WHERE session_id = $1`,
    [sessionId],
  );
  return { stored: { confirmed: stored.confirmed_count, waitlisted: stored.waitlisted_count }, actual };
}

async function expectCounts(sessionId: string, confirmed: number, waitlisted: number) {
  const c = await counters(sessionId);
  expect(c.stored).toEqual({ confirmed, waitlisted });
  expect(c.actual).toEqual({ confirmed, waitlisted });
}

it('answers 503 with Retry-After, not a hang, while another transaction holds the session (statement_timeout 8 s)', async () => {
  const session = await f.publishedSession({ capacity: 5 });
  const holder = t.db.createQueryRunner();
  await holder.connect();
  await holder.startTransaction();
  try {
    await holder.query(`SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE`, [session.id]);
    const started = Date.now();
    const res = await f.register(session.id, { name: 'Blocked', email: 'blocked@example.com' });
    const waited = Date.now() - started;
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(waited).toBeGreaterThanOrEqual(7500);
    expect(waited).toBeLessThan(15_000);
  } finally {
    await holder.rollbackTransaction();
    await holder.release();
  }
  expect((await counters(session.id)).actual).toEqual({ confirmed: 0, waitlisted: 0 });
}, 30_000);

describe('POST /sessions/:id/registrations', () => {
  it('confirms while seats remain, with a manage token shown once and stored only as its hash', async () => {
    const session = await f.publishedSession({ capacity: 2 });
    const res = await f.register(session.id, { name: '  Ada Lovelace  ', email: 'Ada@Example.com' });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.body;
    expect(body).toMatchObject({
      status: 'confirmed',
      waitlistPosition: null,
      name: 'Ada Lovelace',
      email: 'Ada@Example.com',
      checkedInAt: null,
      cancelledAt: null,
      session: { id: session.id, availability: { state: 'open', seatsRemaining: 1, waitlistLength: 0 } },
    });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(body.createdAt)).not.toBeNaN();
    expect(body.manageToken).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
    expect(body.links).toEqual({
      manage: `${BASE_URL}/registrations/${body.manageToken}`,
      ics: `${BASE_URL}/registrations/${body.manageToken}/calendar.ics`,
    });
    const [row] = await t.db.query(`SELECT manage_token_hash FROM registrations WHERE id = $1`, [body.id]);
    expect(row.manage_token_hash.equals(sha256(body.manageToken))).toBe(true);
  });

  it('waitlists with first-come positions once full, when the waitlist is on', async () => {
    const session = await f.publishedSession({ capacity: 1, waitlistEnabled: true });
    expect((await f.register(session.id)).body.status).toBe('confirmed');
    const positions = [];
    for (let i = 0; i < 3; i++) {
      const res = await f.register(session.id);
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('waitlisted');
      positions.push(res.body.waitlistPosition);
    }
    expect(positions).toEqual([1, 2, 3]);
    await expectCounts(session.id, 1, 3);
  });

  it('is 409 sold-out when full without a waitlist, and registers nobody', async () => {
    const session = await f.publishedSession({ capacity: 1 });
    await created(f.register(session.id));
    await expectProblem(await f.register(session.id), 409, 'sold-out');
    await expectCounts(session.id, 1, 0);
  });

  it('is 409 already-registered, not sold-out, for the email holding the last seat of a session without a waitlist', async () => {
    const session = await f.publishedSession({ capacity: 1 });
    await created(f.register(session.id, { email: 'ada@example.com' }));
    await expectProblem(await f.register(session.id, { email: 'ADA@example.com' }), 409, 'already-registered');
    await expectProblem(await f.register(session.id, { email: 'alan@example.com' }), 409, 'sold-out');
    await expectCounts(session.id, 1, 0);
  });

  it('is 409 already-registered for the same email in any case, also on the waitlist; a cancelled place frees the email', async () => {
    const session = await f.publishedSession({ capacity: 1, waitlistEnabled: true });
    const first = await created(f.register(session.id, { email: 'grace@example.com' }));
    await expectProblem(await f.register(session.id, { email: 'GRACE@Example.COM' }), 409, 'already-registered');
    const waitlisted = await created(f.register(session.id, { email: 'linus@example.com' }));
    expect(waitlisted.body.status).toBe('waitlisted');
    await expectProblem(await f.register(session.id, { email: 'Linus@example.com' }), 409, 'already-registered');

    await t.http.delete(`/registrations/${first.body.manageToken}`).expect(200);
    const again = await created(f.register(session.id, { email: 'grace@example.com' }));
    expect(again.body.status).toBe('waitlisted'); // linus was promoted into the freed seat
    // The same email in another session is another place.
    const other = await f.publishedSession();
    await created(f.register(other.id, { email: 'grace@example.com' }));
  });

  it('enforces one live place per email in the database itself (partial unique index)', async () => {
    const session = await f.publishedSession();
    await created(f.register(session.id, { email: 'dup@example.com' }));
    await expect(
      t.db.query(
        `INSERT INTO registrations (session_id, name, email, status, manage_token_hash) VALUES ($1, 'x', 'DUP@example.com', 'waitlisted', $2)`,
        [session.id, sha256('another')],
      ),
    ).rejects.toThrow(/registrations_active_email_key/);
  });

  describe('409 registration-closed', () => {
    it.each([
      ['before the registration window opens', { registrationOpensAt: inDays(1) }],
      ['after the registration window closed', { registrationOpensAt: inDays(-3), registrationClosesAt: inDays(-1) }],
      ['once the session has started', { startsAt: inDays(0, -1), endsAt: inDays(0, 1) }],
      ['once the session is over', { startsAt: inDays(-2), endsAt: inDays(-2, 2) }],
    ])('%s', async (_, overrides) => {
      const session = await f.publishedSession(overrides);
      await expectProblem(await f.register(session.id), 409, 'registration-closed');
      await expectCounts(session.id, 0, 0);
    });

    it('inside an open window it registers', async () => {
      const session = await f.publishedSession({ registrationOpensAt: inDays(-1), registrationClosesAt: inDays(1) });
      await created(f.register(session.id));
    });

    it('when the session is cancelled', async () => {
      const session = await f.publishedSession();
      await t.http.post(`/admin/sessions/${session.id}/cancel`).set('Authorization', `Bearer ${f.editorToken}`).expect(200);
      await expectProblem(await f.register(session.id), 409, 'registration-closed');
    });

    it('when the event is cancelled', async () => {
      const session = await f.publishedSession();
      await t.http.post(`/admin/events/${session.eventId}/cancel`).set('Authorization', `Bearer ${f.editorToken}`).expect(200);
      await expectProblem(await f.register(session.id), 409, 'registration-closed');
    });
  });

  it('is 404 for unknown and malformed session ids, and for sessions of draft events', async () => {
    await expectProblem(await f.register(UNKNOWN_ID), 404, 'not-found');
    await expectProblem(await f.register('not-a-uuid'), 404, 'not-found');
    await expectProblem(await f.register("1' OR '1'='1"), 404, 'not-found');
    const draft = await f.event();
    const session = await f.session(draft.id);
    await expectProblem(await f.register(session.id), 404, 'not-found');
  });

  it('is 400 for text that is not valid Unicode (an unpaired surrogate), never 5xx', async () => {
    const session = await f.publishedSession({ capacity: 2 });
    for (const path of [`/sessions/${session.id}/registrations`, '/auth/login']) {
      const res = await t.http.post(path).set('Content-Type', 'application/json').send('{"name":"Ann","email":"a\\ud800@example.com"}');
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'email', message: 'must be valid Unicode text' }]);
    }
  });

  it('is 400 for invalid bodies, listing each field, never 5xx', async () => {
    const session = await f.publishedSession();
    const post = (body: unknown) =>
      t.http.post(`/sessions/${session.id}/registrations`).set('Content-Type', 'application/json').send(JSON.stringify(body));
    const fieldsOf = (res: { body: { errors?: { field: string }[] } }) => [...new Set((res.body.errors ?? []).map((e) => e.field))].sort();

    let res = await post({});
    await expectProblem(res, 400, 'validation');
    expect(fieldsOf(res)).toEqual(expect.arrayContaining(['email', 'name']));
    res = await post({ name: '   ', email: 'a@example.com' });
    expect(fieldsOf(res)).toEqual(['name']);
    res = await post({ name: 'x'.repeat(201), email: 'a@example.com' });
    expect(fieldsOf(res)).toEqual(['name']);
    res = await post({ name: 'Line\nbreak', email: 'a@example.com' });
    expect(fieldsOf(res)).toEqual(['name']);
    res = await post({ name: 'Ada', email: 'not-an-email' });
    expect(fieldsOf(res)).toEqual(['email']);
    res = await post({ name: 'Ada', email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com` });
    expect(fieldsOf(res)).toEqual(['email']);
    res = await post({ name: 'Ada', email: 'a@example.com', admin: true });
    expect(fieldsOf(res)).toEqual(['admin']);
    res = await post({ name: 42, email: ['a@example.com'] });
    expect(fieldsOf(res)).toEqual(expect.arrayContaining(['email', 'name']));
    for (const body of [null, [], 'text', 7, [{ name: 'Ada', email: 'a@example.com' }]]) {
      res = await post(body);
      expect(res.status).toBe(400);
    }
    res = await t.http.post(`/sessions/${session.id}/registrations`).set('Content-Type', 'application/json').send('{"name":');
    expect(res.status).toBe(400);
    await expectCounts(session.id, 0, 0);
  });

  it('shows real counts in GET /sessions/:id and the session list', async () => {
    const session = await f.publishedSession({ capacity: 2, waitlistEnabled: true });
    for (let i = 0; i < 4; i++) await created(f.register(session.id));
    const one = await t.http.get(`/sessions/${session.id}`).expect(200);
    expect(one.body.availability).toEqual({ state: 'waitlist', seatsRemaining: 0, waitlistLength: 2 });
    const list = await t.http.get(`/sessions?eventId=${session.eventId}`).expect(200);
    expect(list.body.data[0].availability).toEqual({ state: 'waitlist', seatsRemaining: 0, waitlistLength: 2 });
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer (same status, same bytes) without registering twice', async () => {
    const session = await f.publishedSession({ capacity: 5 });
    const body = { name: 'Idem Potent', email: 'idem@example.com' };
    const first = await created(f.register(session.id, body, { 'Idempotency-Key': 'key-replay' }));
    // The availability would differ now; the replay is the first answer, not a new one.
    await created(f.register(session.id));
    const again = await f.register(session.id, { email: 'idem@example.com', name: 'Idem Potent' }, { 'Idempotency-Key': 'key-replay' });
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    await expectCounts(session.id, 2, 0);
  });

  it('keeps the stored answer encrypted: neither the token nor the email is readable in the table', async () => {
    const session = await f.publishedSession();
    const res = await created(f.register(session.id, { email: 'secret-holder@example.com' }, { 'Idempotency-Key': 'key-stored' }));
    const [row] = await t.db.query(`SELECT key_hash, response_status, response_body FROM idempotency_keys WHERE key_hash = $1`, [
      sha256('key-stored'),
    ]);
    expect(row.response_status).toBe(201);
    expect(row.response_body.includes(Buffer.from(res.body.manageToken))).toBe(false);
    expect(row.response_body.includes(Buffer.from('secret-holder'))).toBe(false);
  });

  it('is 422 idempotency-conflict for the same key with another body or another session', async () => {
    const session = await f.publishedSession();
    const other = await f.publishedSession();
    await created(f.register(session.id, { name: 'A', email: 'a1@example.com' }, { 'Idempotency-Key': 'key-conflict' }));
    await expectProblem(
      await f.register(session.id, { name: 'A', email: 'a2@example.com' }, { 'Idempotency-Key': 'key-conflict' }),
      422,
      'idempotency-conflict',
    );
    await expectProblem(
      await f.register(other.id, { name: 'A', email: 'a1@example.com' }, { 'Idempotency-Key': 'key-conflict' }),
      422,
      'idempotency-conflict',
    );
    await expectCounts(session.id, 1, 0);
    await expectCounts(other.id, 0, 0);
  });

  it('is 400 for an empty or over-long key', async () => {
    const session = await f.publishedSession();
    for (const key of ['', 'k'.repeat(256)]) {
      const res = await f.register(session.id, {}, { 'Idempotency-Key': key });
      await expectProblem(res, 400, 'validation');
      expect(res.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    }
    await created(f.register(session.id, {}, { 'Idempotency-Key': 'k'.repeat(255) }));
  });

  it('stores only successes: after an error the same key may succeed later', async () => {
    const session = await f.publishedSession({ capacity: 1 });
    await created(f.register(session.id));
    const body = { name: 'Later', email: 'later@example.com' };
    await expectProblem(await f.register(session.id, body, { 'Idempotency-Key': 'key-after-error' }), 409, 'sold-out');
    await t.http.patch(`/admin/sessions/${session.id}`).set('Authorization', `Bearer ${f.editorToken}`).send({ capacity: 2 }).expect(200);
    const res = await created(f.register(session.id, body, { 'Idempotency-Key': 'key-after-error' }));
    expect(res.body.status).toBe('confirmed');
  });

  it('keeps keys at least 24 hours and sweeps them after 48', async () => {
    const session = await f.publishedSession();
    const body = { name: 'Kept', email: 'kept@example.com' };
    const first = await created(f.register(session.id, body, { 'Idempotency-Key': 'key-aged' }));
    await t.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '47 hours' WHERE key_hash = $1`, [sha256('key-aged')]);
    await t.db.query(`INSERT INTO idempotency_keys (key_hash, request_hash, created_at) VALUES ($1, $1, now() - interval '49 hours')`, [
      sha256('key-expired'),
    ]);
    expect(await t.app.get(IdempotencyKeySweeper).sweep()).toBe(1);
    const again = await f.register(session.id, body, { 'Idempotency-Key': 'key-aged' });
    expect(again.text).toBe(first.text);
  });

  it('with ten requests racing on one key: one registration, ten identical answers', async () => {
    const session = await f.publishedSession({ capacity: 100 });
    const url = await listening();
    const send = () =>
      fetch(`${url}/sessions/${session.id}/registrations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'key-race' },
        body: JSON.stringify({ name: 'Racer', email: 'racer@example.com' }),
      }).then(async (r) => ({ status: r.status, text: await r.text() }));
    const answers = await Promise.all(Array.from({ length: 10 }, send));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    await expectCounts(session.id, 1, 0);
  });
});

describe('managing a place with its token', () => {
  it('GET shows status, position and session; DELETE cancels, and repeating it answers the same', async () => {
    const session = await f.publishedSession({ capacity: 5 });
    const reg = (await created(f.register(session.id, { name: 'Token Holder' }))).body;

    const read = await t.http.get(`/registrations/${reg.manageToken}`).expect(200);
    expect(read.headers['cache-control']).toBe('no-store');
    expect(read.body).toEqual({
      id: reg.id,
      status: 'confirmed',
      waitlistPosition: null,
      name: 'Token Holder',
      email: reg.email,
      session: expect.objectContaining({ id: session.id, availability: expect.objectContaining({ seatsRemaining: 4 }) }),
      checkedInAt: null,
      createdAt: reg.createdAt,
      cancelledAt: null,
      links: reg.links,
    });
    expect(read.body).not.toHaveProperty('manageToken');

    const cancelled = await t.http.delete(`/registrations/${reg.manageToken}`).expect(200);
    expect(cancelled.body).toMatchObject({ id: reg.id, status: 'cancelled', waitlistPosition: null });
    expect(Date.parse(cancelled.body.cancelledAt)).not.toBeNaN();
    expect(cancelled.body.session.availability.seatsRemaining).toBe(5);
    const repeated = await t.http.delete(`/registrations/${reg.manageToken}`).expect(200);
    expect(repeated.body).toEqual(cancelled.body);
    expect((await t.http.get(`/registrations/${reg.manageToken}`).expect(200)).body.status).toBe('cancelled');
    await expectCounts(session.id, 0, 0);
  });

  it('is 404 for unknown and malformed tokens alike', async () => {
    const unknown = 'A'.repeat(43);
    for (const token of [unknown, 'short', 'x'.repeat(300), '%27%20OR%201%3D1', '../admin']) {
      await expectProblem(await t.http.get(`/registrations/${token}`), 404, 'not-found');
      await expectProblem(await t.http.delete(`/registrations/${token}`), 404, 'not-found');
    }
    const a = await t.http.get(`/registrations/${unknown}`);
    const b = await t.http.get('/registrations/short');
    expect(a.body).toEqual(b.body);
  });

  it('cancelling a confirmed place promotes the first waitlisted person; the others move up', async () => {
    const session = await f.publishedSession({ capacity: 2, waitlistEnabled: true });
    const [a] = await registerMany(session.id, 2);
    const [w1, w2, w3] = await registerMany(session.id, 3);
    expect([w1, w2, w3].map((r) => r.waitlistPosition)).toEqual([1, 2, 3]);

    await t.http.delete(`/registrations/${a.manageToken}`).expect(200);
    const promoted = (await t.http.get(`/registrations/${w1.manageToken}`).expect(200)).body;
    expect(promoted).toMatchObject({ status: 'confirmed', waitlistPosition: null });
    expect((await t.http.get(`/registrations/${w2.manageToken}`)).body.waitlistPosition).toBe(1);
    expect((await t.http.get(`/registrations/${w3.manageToken}`)).body.waitlistPosition).toBe(2);
    await expectCounts(session.id, 2, 2);

    // Leaving the waitlist promotes nobody; positions close the gap.
    await t.http.delete(`/registrations/${w2.manageToken}`).expect(200);
    expect((await t.http.get(`/registrations/${w3.manageToken}`)).body.waitlistPosition).toBe(1);
    await expectCounts(session.id, 2, 1);
  });
});

describe('capacity changes (PATCH /admin/sessions/:id)', () => {
  const patch = (id: string, body: object) =>
    t.http.patch(`/admin/sessions/${id}`).set('Authorization', `Bearer ${f.editorToken}`).send(body);

  it('raising capacity promotes as many waitlisted people as fit, first come first served', async () => {
    const session = await f.publishedSession({ capacity: 1, waitlistEnabled: true });
    await registerMany(session.id, 1);
    const waiting = await registerMany(session.id, 4);
    const res = await patch(session.id, { capacity: 3 }).expect(200);
    expect(res.body.availability).toEqual({ state: 'waitlist', seatsRemaining: 0, waitlistLength: 2 });
    const statuses = await Promise.all(waiting.map(async (w) => (await t.http.get(`/registrations/${w.manageToken}`)).body));
    expect(statuses.map((s) => [s.status, s.waitlistPosition])).toEqual([
      ['confirmed', null],
      ['confirmed', null],
      ['waitlisted', 1],
      ['waitlisted', 2],
    ]);
    await expectCounts(session.id, 3, 2);

    await patch(session.id, { capacity: null }).expect(200);
    await expectCounts(session.id, 5, 0);
  });

  it('lowering capacity below the confirmed count is 409 conflict; down to it is fine', async () => {
    const session = await f.publishedSession({ capacity: 5 });
    await registerMany(session.id, 3);
    await expectProblem(await patch(session.id, { capacity: 2 }), 409, 'conflict');
    await patch(session.id, { capacity: 3 }).expect(200);
    await expectProblem(await f.register(session.id), 409, 'sold-out');
  });
});

describe('under concurrency', () => {
  it('200 simultaneous registrations for 20 seats: exactly 20 confirmed, waitlist 1..180 without gaps', async () => {
    const session = await f.publishedSession({ capacity: 20, waitlistEnabled: true });
    const url = await listening();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(`${url}/sessions/${session.id}/registrations`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: `Crowd ${i}`, email: `crowd${i}@example.com` }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> })),
      ),
    );
    expect(answers.filter((a) => a.status !== 201).map((a) => a.body)).toEqual([]);
    expect(answers.filter((a) => a.body.status === 'confirmed')).toHaveLength(20);
    const positions = answers
      .filter((a) => a.body.status === 'waitlisted')
      .map((a) => a.body.waitlistPosition as number)
      .sort((x, y) => x - y);
    expect(positions).toEqual(Array.from({ length: 180 }, (_, i) => i + 1));
    await expectCounts(session.id, 20, 180);
    // First come, first served: the waitlist order is the insertion order.
    const rows: { queue_number: string; email: string }[] = await t.db.query(
      `SELECT queue_number, email FROM registrations WHERE session_id = $1 AND status = 'waitlisted' ORDER BY queue_number`,
      [session.id],
    );
    const positionByEmail = new Map(answers.map((a) => [a.body.email as string, a.body.waitlistPosition as number | null]));
    expect(rows.map((r) => positionByEmail.get(r.email))).toEqual(positions);
  });

  it('one email racing itself (any case) gets one place; the others are already-registered', async () => {
    const session = await f.publishedSession({ capacity: 5 });
    const url = await listening();
    const answers = await Promise.all(
      ['twin@example.com', 'TWIN@example.com', 'Twin@Example.com', 'twin@EXAMPLE.COM', 'twin@example.com', 'tWin@example.com'].map(
        (email) =>
          fetch(`${url}/sessions/${session.id}/registrations`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ name: 'Twin', email }),
          }).then(async (r) => ({ status: r.status, body: (await r.json()) as { type?: string } })),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409 && a.body.type === problemType('already-registered'))).toHaveLength(5);
    await expectCounts(session.id, 1, 0);
  });
});

/** Awaits a registration that must succeed; a failure names what came back instead. */
async function created(pending: Promise<Response>): Promise<Response> {
  const res = await pending;
  if (res.status !== 201) throw new Error(`expected 201, got ${res.status}: ${res.text}`);
  return res;
}

async function registerMany(sessionId: string, n: number) {
  const out = [];
  for (let i = 0; i < n; i++) out.push((await created(f.register(sessionId))).body);
  return out;
}

let url: string | undefined;
/** Real sockets for real concurrency (supertest would open a server per request). */
async function listening(): Promise<string> {
  if (!url) {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = await t.app.getUrl();
  }
  return url;
}

describe('rate limit (RATE_LIMIT on)', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await createTestApp({ rateLimit: true });
  });
  afterAll(() => limited?.close());

  it('answers 429 rate-limited with Retry-After once a client registers too often', async () => {
    const lf = await factories(limited);
    const session = await lf.publishedSession();
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 21; i++) {
      last = await lf.register(session.id);
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(201));
    expect(last!.status).toBe(429);
    expect(last!.body.type).toBe(problemType('rate-limited'));
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    const [{ n }] = await limited.db.query(`SELECT count(*)::int AS n FROM registrations WHERE session_id = $1`, [session.id]);
    expect(n).toBe(20);
  });
});
