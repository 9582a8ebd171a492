import { hashToken } from '../src/auth/tokens';
import { factories, Factories, inDays } from './factories';
import { createTestApp, TestApp } from './support/test-app';

describe('staff: auth, roles, events and sessions', () => {
  let t: TestApp;
  let f: Factories;
  let admin: string;
  let editor: string;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
    f = await factories(t);
    [admin, editor] = [await t.tokenFor('admin'), f.editorToken];
  });
  afterAll(() => t.close());

  it('logs in with an opaque token stored only as a hash, and logs out', async () => {
    await t.http
      .post('/admin/users')
      .set(bearer(admin))
      .send({ email: 'Door@Example.com', password: 'twelve-chars-ok', role: 'checkin' })
      .expect(201);
    const login = await t.http.post('/auth/login').send({ email: 'door@example.com', password: 'twelve-chars-ok' }).expect(200);
    expect(login.body.accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(login.body.expiresAt)).toBeGreaterThan(Date.now());
    expect(login.body.user).toMatchObject({ email: 'Door@Example.com', role: 'checkin' });
    expect(login.body.user.passwordHash).toBeUndefined();
    const stored: { token_hash: Buffer }[] = await t.db.query(`SELECT token_hash FROM staff_tokens`);
    expect(stored.some((r) => r.token_hash.toString('base64url') === login.body.accessToken)).toBe(false);
    const hashes: { password_hash: string }[] = await t.db.query(
      `SELECT password_hash FROM staff_users WHERE lower(email) = 'door@example.com'`,
    );
    expect(hashes[0].password_hash).toMatch(/^\$argon2id\$/);

    const token = login.body.accessToken;
    await t.http.get('/admin/sessions/00000000-0000-4000-8000-000000000000/registrations').set(bearer(token));
    await t.http.post('/auth/logout').set(bearer(token)).expect(204);
    const after = await t.http.post('/auth/logout').set(bearer(token));
    expect(after.status).toBe(401);
  });

  it('rejects wrong credentials with 401 problem+json', async () => {
    for (const body of [
      { email: 'door@example.com', password: 'wrong-password' },
      { email: 'nobody@example.com', password: 'whatever-it-is' },
    ]) {
      const res = await t.http.post('/auth/login').send(body).expect(401);
      expect(res.body.type).toBe('http://eventline.test/problems/unauthorized');
    }
    await t.http.post('/auth/login').send({ email: 'not-an-email', password: 'x' }).expect(400);
  });

  it('expired tokens are refused', async () => {
    const token = await t.tokenFor('editor');
    await t.db.query(`UPDATE staff_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [hashToken(token)]);
    await t.http.get('/admin/events').set(bearer(token)).expect(401);
  });

  it('enforces roles: 401 without a valid token, 403 below the needed role', async () => {
    const [a, e, c] = [await t.tokenFor('admin'), await t.tokenFor('editor'), await t.tokenFor('checkin')];
    await t.http.get('/admin/events').expect(401);
    await t.http.get('/admin/events').set({ Authorization: 'Bearer not-a-token' }).expect(401);
    await t.http.get('/admin/events').set({ Authorization: 'Basic abc' }).expect(401);
    await t.http
      .get('/admin/events')
      .set(bearer('A'.repeat(43)))
      .expect(401);
    await t.http.get('/admin/events').set(bearer(c)).expect(403);
    await t.http.get('/admin/events').set(bearer(e)).expect(200);
    await t.http.get('/admin/events').set(bearer(a)).expect(200);
    await t.http.get('/admin/users').set(bearer(e)).expect(403);
    const users = await t.http.get('/admin/users').set(bearer(a)).expect(200);
    expect(users.body.data.length).toBeGreaterThan(0);
    expect(users.body.nextCursor).toBeNull();
    await t.http
      .post('/admin/users')
      .set(bearer(e))
      .send({ email: 'x@example.com', password: 'twelve-chars-ok', role: 'admin' })
      .expect(403);
    const forbidden = await t.http.post('/admin/events').set(bearer(c)).send({ title: 'x', timezone: 'UTC' }).expect(403);
    expect(forbidden.body.type).toBe('http://eventline.test/problems/forbidden');
  });

  it('validates staff users', async () => {
    await t.http
      .post('/admin/users')
      .set(bearer(admin))
      .send({ email: 'short@example.com', password: 'short', role: 'editor' })
      .expect(400);
    await t.http
      .post('/admin/users')
      .set(bearer(admin))
      .send({ email: 'role@example.com', password: 'twelve-chars-ok', role: 'owner' })
      .expect(400);
    await t.http
      .post('/admin/users')
      .set(bearer(admin))
      .send({ email: 'dup@example.com', password: 'twelve-chars-ok', role: 'editor' })
      .expect(201);
    await t.http
      .post('/admin/users')
      .set(bearer(admin))
      .send({ email: 'DUP@example.com', password: 'twelve-chars-ok', role: 'editor' })
      .expect(409);
  });

  it('creates a draft with a unique slug, publishes, patches and cancels it with its sessions', async () => {
    const a = await t.http
      .post('/admin/events')
      .set(bearer(editor))
      .send({ title: 'Café Night: Networking!', timezone: 'America/New_York' })
      .expect(201);
    const b = await t.http
      .post('/admin/events')
      .set(bearer(editor))
      .send({ title: 'Cafe night networking', timezone: 'America/New_York' })
      .expect(201);
    expect(a.body).toMatchObject({ slug: 'cafe-night-networking', status: 'draft', tags: [], venue: null, sessions: [] });
    expect(b.body.slug).toBe('cafe-night-networking-2');

    const session = await t.http
      .post(`/admin/events/${a.body.id}/sessions`)
      .set(bearer(editor))
      .send({ startsAt: inDays(7), endsAt: inDays(7, 2), capacity: 30, waitlistEnabled: true })
      .expect(201);
    expect(session.body).toMatchObject({
      timezone: 'America/New_York',
      capacity: 30,
      waitlistEnabled: true,
      sequence: 0,
      status: 'scheduled',
    });
    await t.http.get(`/sessions/${session.body.id}`).expect(404);

    const published = await t.http.post(`/admin/events/${a.body.id}/publish`).set(bearer(editor)).expect(200);
    expect(published.body.status).toBe('published');
    await t.http.get(`/sessions/${session.body.id}`).expect(200);

    const patched = await t.http
      .patch(`/admin/events/${a.body.id}`)
      .set(bearer(editor))
      .send({ summary: 'Coffee, then contacts', tags: ['coffee'], venue: { name: 'Roastery', city: 'Boston' } })
      .expect(200);
    expect(patched.body).toMatchObject({
      summary: 'Coffee, then contacts',
      tags: ['coffee'],
      venue: { name: 'Roastery', city: 'Boston', address: null },
    });
    // The session inherits the event's place, so its calendar SEQUENCE moves.
    expect(patched.body.sessions[0].sequence).toBe(1);

    const cancelled = await t.http.post(`/admin/events/${a.body.id}/cancel`).set(bearer(editor)).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.sessions[0]).toMatchObject({ status: 'cancelled', sequence: 2, availability: { state: 'cancelled' } });
    await t.http.post(`/admin/events/${a.body.id}/publish`).set(bearer(editor)).expect(409);
    await t.http
      .post(`/admin/events/${a.body.id}/sessions`)
      .set(bearer(editor))
      .send({ startsAt: inDays(8), endsAt: inDays(8, 1) })
      .expect(409);
    const publicView = await t.http.get(`/events/${a.body.slug}`).expect(200);
    expect(publicView.body.status).toBe('cancelled');
  });

  it('patches sessions: SEQUENCE grows on time, place or status changes only', async () => {
    const event = await f.event({ status: 'published' });
    const s = await f.session(event.id, { capacity: 10 });
    const waitlist = await t.http
      .patch(`/admin/sessions/${s.id}`)
      .set(bearer(editor))
      .send({ waitlistEnabled: true, capacity: 12 })
      .expect(200);
    expect(waitlist.body.sequence).toBe(0);
    const moved = await t.http
      .patch(`/admin/sessions/${s.id}`)
      .set(bearer(editor))
      .send({ startsAt: inDays(11), endsAt: inDays(11, 3) })
      .expect(200);
    expect(moved.body.sequence).toBe(1);
    const venue = await t.http
      .patch(`/admin/sessions/${s.id}`)
      .set(bearer(editor))
      .send({ venue: { name: 'Annex' } })
      .expect(200);
    expect(venue.body).toMatchObject({ sequence: 2, venue: { name: 'Annex' } });
    const cancelled = await t.http.post(`/admin/sessions/${s.id}/cancel`).set(bearer(editor)).expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', sequence: 3 });
    const again = await t.http.post(`/admin/sessions/${s.id}/cancel`).set(bearer(editor)).expect(200);
    expect(again.body.sequence).toBe(3);
  });

  it('rejects invalid events and sessions with 400 and keeps what is stored', async () => {
    const event = await f.event();
    const cases: [string, Record<string, unknown>][] = [
      ['/admin/events', { title: 'x', timezone: 'Mars/Olympus_Mons' }],
      ['/admin/events', { title: '', timezone: 'UTC' }],
      ['/admin/events', { title: 'x'.repeat(201), timezone: 'UTC' }],
      ['/admin/events', { title: 42, timezone: 'UTC' }],
      ['/admin/events', { timezone: 'UTC' }],
      ['/admin/events', { title: 'x', timezone: 'UTC', status: 'cancelled' }],
      ['/admin/events', { title: 'x', timezone: 'UTC', onlineUrl: 'javascript:alert(1)' }],
      [`/admin/events/${event.id}/sessions`, { startsAt: inDays(2), endsAt: inDays(1) }],
      [`/admin/events/${event.id}/sessions`, { startsAt: inDays(2), endsAt: inDays(2) }],
      [`/admin/events/${event.id}/sessions`, { startsAt: '2027-08-01T18:00:00', endsAt: inDays(3) }],
      [`/admin/events/${event.id}/sessions`, { startsAt: inDays(2), endsAt: inDays(3), capacity: -1 }],
      [`/admin/events/${event.id}/sessions`, { startsAt: inDays(2), endsAt: inDays(3), capacity: 1.5 }],
      [`/admin/events/${event.id}/sessions`, { startsAt: inDays(2), endsAt: inDays(3), timezone: 'PST' }],
      [
        `/admin/events/${event.id}/sessions`,
        { startsAt: inDays(2), endsAt: inDays(3), registrationOpensAt: inDays(1), registrationClosesAt: inDays(0) },
      ],
    ];
    for (const [path, body] of cases) {
      const res = await t.http.post(path).set(bearer(editor)).send(body);
      expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const s = await f.session(event.id);
    await t.http
      .patch(`/admin/sessions/${s.id}`)
      .set(bearer(editor))
      .send({ endsAt: inDays(1) })
      .expect(400);
    await t.http.patch(`/admin/events/${event.id}`).set(bearer(editor)).send({ title: null }).expect(400);
    await t.http.patch(`/admin/events/${event.id}`).set(bearer(editor)).send({ status: 'published' }).expect(400);
    const stored = await t.http.get(`/admin/events/${event.id}`).set(bearer(editor)).expect(200);
    expect(stored.body).toMatchObject({ title: event.title, status: 'draft' });
    expect(stored.body.sessions[0].endsAt).toBe(s.endsAt);
  });

  it('deletes only drafts, and lists every status for staff', async () => {
    const draft = await f.event({ category: 'admin-list' });
    const published = await f.event({ status: 'published', category: 'admin-list' });
    await f.session(published.id);
    await t.http.delete(`/admin/events/${published.id}`).set(bearer(editor)).expect(409);
    const all = await t.http.get('/admin/events').query({ category: 'admin-list' }).set(bearer(editor)).expect(200);
    expect(all.body.data.map((e: { id: string }) => e.id).sort()).toEqual([draft.id, published.id].sort());
    const drafts = await t.http.get('/admin/events').query({ category: 'admin-list', status: 'draft' }).set(bearer(editor)).expect(200);
    expect(drafts.body.data.map((e: { id: string }) => e.id)).toEqual([draft.id]);
    await t.http.delete(`/admin/events/${draft.id}`).set(bearer(editor)).expect(204);
    await t.http.get(`/admin/events/${draft.id}`).set(bearer(editor)).expect(404);
    await t.http.delete(`/admin/events/not-a-uuid`).set(bearer(editor)).expect(404);
  });
});

describe('HTTP edges', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers 413 for bodies over 100 kB, 400 for malformed JSON, 415 for other media types', async () => {
    const token = await t.tokenFor('editor');
    const big = await t.http
      .post('/admin/events')
      .set({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' })
      .send(JSON.stringify({ title: 'x', timezone: 'UTC', description: 'y'.repeat(110_000) }));
    expect(big.status).toBe(413);
    expect(big.body.type).toBe('http://eventline.test/problems/payload-too-large');
    const bad = await t.http.post('/auth/login').set('Content-Type', 'application/json').send('{"email":');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    const proto = await t.http
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"__proto__":{"x":1},"email":"a@b.co","password":"x"}');
    expect(proto.status).toBe(400);
    const text = await t.http.post('/auth/login').set('Content-Type', 'text/plain').send('hello');
    expect(text.status).toBe(415);
    const form = await t.http
      .post('/auth/login')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('email=a%40b.co&password=x');
    expect(form.status).toBe(415);
    expect(form.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('echoes a request id, serves health and the OpenAPI document', async () => {
    const given = await t.http.get('/health/live').set('X-Request-Id', 'abc-123').expect(200);
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await t.http.get('/health/live').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await t.http.get('/health/ready').expect(200);
    const doc = await t.http.get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.body.paths);
    for (const p of [
      '/events',
      '/events/{idOrSlug}',
      '/sessions',
      '/sessions/{id}',
      '/auth/login',
      '/auth/logout',
      '/admin/users',
      '/admin/events',
      '/admin/events/{id}',
      '/admin/events/{id}/publish',
      '/admin/events/{id}/cancel',
      '/admin/events/{id}/sessions',
      '/admin/sessions/{id}',
      '/admin/sessions/{id}/cancel',
      '/health/live',
      '/health/ready',
    ]) {
      expect(paths).toContain(p);
    }
    const ui = await t.http.get('/docs').redirects(1);
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });
});
