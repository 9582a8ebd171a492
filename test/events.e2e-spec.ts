import { factories, Factories, inDays } from './factories';
import { createTestApp, TestApp } from './support/test-app';

describe('public listing: events and sessions', () => {
  let t: TestApp;
  let f: Factories;

  beforeAll(async () => {
    t = await createTestApp();
    f = await factories(t);
  });
  afterAll(() => t.close());

  it('lists sessions of published events only, ordered by startsAt then id, with availability and absolute links', async () => {
    const draft = await f.event({ title: 'Secret draft' });
    await f.session(draft.id, { startsAt: inDays(1), endsAt: inDays(1, 1) });
    const late = await f.publishedSession({ startsAt: inDays(5), endsAt: inDays(5, 1), capacity: 10 });
    const early = await f.publishedSession({ startsAt: inDays(2), endsAt: inDays(2, 1) });

    const res = await t.http.get('/sessions').expect(200);
    const ids = res.body.data.map((s: { id: string }) => s.id);
    expect(ids).toEqual([early.id, late.id]);
    const s = res.body.data[1];
    expect(s).toMatchObject({
      eventId: late.eventId,
      timezone: 'America/Los_Angeles',
      capacity: 10,
      waitlistEnabled: false,
      status: 'scheduled',
      availability: { state: 'open', seatsRemaining: 10, waitlistLength: 0 },
      links: {
        register: `http://eventline.test/sessions/${late.id}/registrations`,
        ics: `http://eventline.test/sessions/${late.id}/calendar.ics`,
        webcal: `webcal://eventline.test/sessions/${late.id}/calendar.ics`,
      },
    });
    expect(s.event).toEqual({ id: late.eventId, slug: expect.any(String), title: expect.any(String), organizer: null });
    // "Add to Google Calendar" copies this one session in, at its instants, with its zone named.
    const google = new URL(s.links.google);
    expect(google.origin + google.pathname).toBe('https://calendar.google.com/calendar/render');
    const dates = `${late.startsAt}/${late.endsAt}`.replace(/[-:]/g, '').replace(/\.\d{3}Z/g, 'Z');
    expect(Object.fromEntries(google.searchParams)).toMatchObject({
      action: 'TEMPLATE',
      text: s.event.title,
      dates,
      ctz: 'America/Los_Angeles',
      details: `http://eventline.test/e/${s.event.slug}`,
    });
    expect(res.body.data[0].availability).toEqual({ state: 'open', seatsRemaining: null, waitlistLength: 0 });
    expect(res.body.nextCursor).toBeNull();
  });

  it('hides drafts from every public route', async () => {
    const draft = await f.event({ title: 'Hidden plans' });
    const session = await f.session(draft.id);
    await t.http.get(`/events/${draft.id}`).expect(404);
    await t.http.get(`/events/${draft.slug}`).expect(404);
    await t.http.get(`/sessions/${session.id}`).expect(404);
    const events = await t.http.get('/events').query({ q: 'hidden plans' }).expect(200);
    expect(events.body.data).toEqual([]);
    const sessions = await t.http.get('/sessions').query({ eventId: draft.id }).expect(200);
    expect(sessions.body.data).toEqual([]);
  });

  it('filters by from, to, category, eventId and full-text q', async () => {
    const jazz = await f.event({ title: 'Jazz by the river', summary: 'Saxophones at dusk', category: 'Music', status: 'published' });
    const js = await f.session(jazz.id, { startsAt: inDays(30), endsAt: inDays(30, 2) });
    const talk = await f.event({ title: 'Quarterly economic outlook', category: 'business', status: 'published' });
    const ts = await f.session(talk.id, { startsAt: inDays(31), endsAt: inDays(31, 2) });

    const byCategory = await t.http.get('/sessions').query({ category: 'music' }).expect(200);
    expect(byCategory.body.data.map((s: { id: string }) => s.id)).toEqual([js.id]);

    const byText = await t.http.get('/events').query({ q: 'saxophone' }).expect(200);
    expect(byText.body.data.map((e: { id: string }) => e.id)).toEqual([jazz.id]);
    expect(byText.body.data[0].sessions.map((s: { id: string }) => s.id)).toEqual([js.id]);

    const window = await t.http
      .get('/sessions')
      .query({ from: inDays(30, 1), to: inDays(32) })
      .expect(200);
    expect(window.body.data.map((s: { id: string }) => s.id)).toEqual([ts.id]);

    const byEvent = await t.http.get('/sessions').query({ eventId: talk.id, from: '2020-01-01T00:00:00Z' }).expect(200);
    expect(byEvent.body.data.map((s: { id: string }) => s.id)).toEqual([ts.id]);

    const hostile = await t.http.get('/events').query({ q: `'); DROP TABLE events; -- & | ! :* <script>` }).expect(200);
    expect(hostile.body.data).toEqual([]);
    // A NUL byte cannot reach PostgreSQL's text search: a 400, not a 500 (found by the fuzz test).
    const nul = await t.http.get('/events').query({ q: 'jazz\u0000' });
    expect(nul.status).toBe(400);
    expect(nul.body.type).toBe('http://eventline.test/problems/validation');
  });

  it('reads one event by id or slug with all its sessions, and one session', async () => {
    const event = await f.event({ title: 'Annual Gala', status: 'published', venue: { name: 'Hall A', city: 'Portland' } });
    const past = await f.session(event.id, { startsAt: inDays(-3), endsAt: inDays(-3, 2) });
    const next = await f.session(event.id, { startsAt: inDays(3), endsAt: inDays(3, 2), capacity: 5 });
    const bySlug = await t.http.get(`/events/${event.slug}`).expect(200);
    const byId = await t.http.get(`/events/${event.id}`).expect(200);
    expect(bySlug.body).toEqual(byId.body);
    expect(bySlug.body.sessions.map((s: { id: string }) => s.id)).toEqual([past.id, next.id]);
    expect(bySlug.body.sessions[0].availability.state).toBe('past');
    expect(bySlug.body.availability).toEqual({ state: 'open', seatsRemaining: 5, waitlistLength: 0 });
    const session = await t.http.get(`/sessions/${next.id}`).expect(200);
    expect(session.body.venue).toMatchObject({ name: 'Hall A', city: 'Portland' });
  });

  it('answers 404 problem+json for unknown and malformed ids, 400 for bad filters', async () => {
    for (const path of [
      '/sessions/00000000-0000-4000-8000-000000000000',
      '/sessions/not-a-uuid',
      "/sessions/1'%20OR%201=1",
      '/events/no-such-event',
      '/events/Upper%20Case',
    ]) {
      const res = await t.http.get(path);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ type: 'http://eventline.test/problems/not-found', status: 404 });
    }
    // A path that is not valid percent-encoded UTF-8 is a malformed request, not a missing resource.
    const malformed = await t.http.get('/events/%00%ff');
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
    for (const query of [
      { limit: 0 },
      { limit: 101 },
      { limit: 'ten' },
      { from: 'yesterday' },
      { to: '2027-13-45T00:00:00Z' },
      { cursor: 'zzz' },
      { eventId: 'nope' },
      { unknown: 1 },
    ]) {
      const res = await t.http.get('/sessions').query(query);
      expect(res.status).toBe(400);
      expect(res.body.type).toBe('http://eventline.test/problems/validation');
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
  });
});

describe('keyset pagination', () => {
  let t: TestApp;
  let f: Factories;

  beforeAll(async () => {
    t = await createTestApp();
    f = await factories(t);
  });
  afterAll(() => t.close());

  it('never repeats or skips a session while rows are inserted between pages', async () => {
    const event = await f.event({ status: 'published' });
    const start = Date.now() + 86_400_000;
    // Several sessions share a start time, so the id tie-breaker matters.
    const times = Array.from({ length: 12 }, (_, i) => new Date(start + Math.floor(i / 3) * 3600_000).toISOString());
    const original: string[] = [];
    for (const startsAt of times) {
      original.push((await f.session(event.id, { startsAt, endsAt: new Date(Date.parse(startsAt) + 3600_000).toISOString() })).id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let page = 0;
    do {
      const res = await t.http
        .get('/sessions')
        .query({ limit: 5, eventId: event.id, ...(cursor ? { cursor } : {}) })
        .expect(200);
      seen.push(...res.body.data.map((s: { id: string }) => s.id));
      cursor = res.body.nextCursor ?? undefined;
      if (page++ === 0) {
        // Inserted before the cursor position (must not reappear) and after it (must be seen).
        await f.session(event.id, { startsAt: new Date(start - 3600_000).toISOString(), endsAt: new Date(start).toISOString() });
        const later = await f.session(event.id, {
          startsAt: new Date(start + 10 * 3600_000).toISOString(),
          endsAt: new Date(start + 11 * 3600_000).toISOString(),
        });
        original.push(later.id);
      }
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const rows: { id: string }[] = await t.db.query(`SELECT id FROM sessions WHERE event_id = $1 ORDER BY starts_at, id`, [event.id]);
    const expected = rows.map((r) => r.id).filter((id) => original.includes(id));
    expect(seen).toEqual(expected);
  });

  it('pages events by their next session', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const e = await f.event({ status: 'published', category: 'paging' });
      await f.session(e.id, { startsAt: inDays(40 + i), endsAt: inDays(40 + i, 1) });
      ids.push(e.id);
    }
    const first = await t.http.get('/events').query({ category: 'paging', limit: 2 }).expect(200);
    const second = await t.http.get('/events').query({ category: 'paging', limit: 2, cursor: first.body.nextCursor }).expect(200);
    const third = await t.http.get('/events').query({ category: 'paging', limit: 2, cursor: second.body.nextCursor }).expect(200);
    expect([...first.body.data, ...second.body.data, ...third.body.data].map((e: { id: string }) => e.id)).toEqual(ids);
    expect(third.body.nextCursor).toBeNull();
  });
});

describe('sessions per event are bounded', () => {
  let t: TestApp;
  let f: Factories;

  beforeAll(async () => {
    t = await createTestApp();
    f = await factories(t);
  });
  afterAll(() => t.close());

  interface Bulk {
    id: string;
    slug: string;
    /** Session ids in start order, before now and after it. */
    pastIds: string[];
    aheadIds: string[];
    aheadStarts: Date[];
  }

  /**
   * An event (category = its slug) with `past` sessions in the hours before now and `ahead` in the
   * hours after, every seventh cancelled: one INSERT ... generate_series.
   */
  async function bulkEvent(status: string, past: number, ahead: number): Promise<Bulk> {
    const slug = `bulk-${status}-${past}-${ahead}`;
    const [{ id }]: { id: string }[] = await t.db.query(
      `INSERT INTO events (slug, title, timezone, status, category) VALUES ($1, 'Bulk', 'UTC', $2, $1) RETURNING id`,
      [slug, status],
    );
    await t.db.query(
      `INSERT INTO sessions (event_id, starts_at, ends_at, timezone, status)
       SELECT $1, date_trunc('hour', now()) + g * interval '1 hour', date_trunc('hour', now()) + g * interval '1 hour' + interval '30 minutes',
              'UTC', CASE WHEN g % 7 = 0 THEN 'cancelled' ELSE 'scheduled' END
         FROM generate_series(-$2::int, $3::int) g WHERE g <> 0`,
      [id, past, ahead],
    );
    const rows: { id: string; starts_at: Date }[] = await t.db.query(
      `SELECT id, starts_at FROM sessions WHERE event_id = $1 ORDER BY starts_at, id`,
      [id],
    );
    const ahead_ = rows.slice(past);
    return {
      id,
      slug,
      pastIds: rows.slice(0, past).map((r) => r.id),
      aheadIds: ahead_.map((r) => r.id),
      aheadStarts: ahead_.map((r) => r.starts_at),
    };
  }

  const ids = (sessions: { id: string }[]) => sessions.map((s) => s.id);

  it('a single read shows the next 100 sessions, cancelled ones included, and sessionCount the total', async () => {
    const event = await bulkEvent('published', 30, 250);
    const res = await t.http.get(`/events/${event.slug}`).expect(200);
    expect(res.body.sessionCount).toBe(280);
    expect(ids(res.body.sessions)).toEqual(event.aheadIds.slice(0, 100));
    expect(res.body.sessions.some((s: { status: string }) => s.status === 'cancelled')).toBe(true);
    // The answer stays small however many sessions the event has.
    expect(Buffer.byteLength(JSON.stringify(res.body))).toBeLessThan(150_000);
    // The rest page through /sessions?eventId=.
    const rest = await t.http.get('/sessions').query({ eventId: event.id, limit: 100 }).expect(200);
    const more = await t.http.get('/sessions').query({ eventId: event.id, limit: 100, cursor: rest.body.nextCursor }).expect(200);
    expect(ids(rest.body.data)).toEqual(event.aheadIds.slice(0, 100));
    expect(ids(more.body.data)).toEqual(event.aheadIds.slice(100, 200));
  });

  it('fills with the latest earlier sessions when fewer than 100 lie ahead, so a small event shows every session', async () => {
    const event = await bulkEvent('published', 150, 4);
    const res = await t.http.get(`/events/${event.id}`).expect(200);
    expect(res.body.sessionCount).toBe(154);
    expect(ids(res.body.sessions)).toEqual([...event.pastIds.slice(-96), ...event.aheadIds]);
    expect(res.body.sessions[0].availability.state).toMatch(/^(past|cancelled)$/);
  });

  it('a listing shows each event its next 5 sessions in range and sessionCount in range', async () => {
    const event = await bulkEvent('published', 10, 250);
    const res = await t.http.get('/events').query({ category: event.slug, limit: 1 }).expect(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({ id: event.id, sessionCount: 250 });
    expect(ids(res.body.data[0].sessions)).toEqual(event.aheadIds.slice(0, 5));

    const to = event.aheadStarts[3].toISOString();
    const ranged = await t.http.get('/events').query({ category: event.slug, to }).expect(200);
    expect(ranged.body.data[0].sessionCount).toBe(3);
    expect(ids(ranged.body.data[0].sessions)).toEqual(event.aheadIds.slice(0, 3));
  });

  it('staff reads are bounded the same way; GET /admin/sessions?eventId= pages the rest, drafts included', async () => {
    const event = await bulkEvent('draft', 0, 250);
    const auth = { Authorization: `Bearer ${f.editorToken}` };
    const res = await t.http.get(`/admin/events/${event.id}`).set(auth).expect(200);
    expect(ids(res.body.sessions)).toEqual(event.aheadIds.slice(0, 100));
    expect(res.body.sessionCount).toBe(250);
    const listed = await t.http.get('/admin/events').set(auth).query({ category: event.slug }).expect(200);
    expect(listed.body.data[0]).toMatchObject({ id: event.id, sessionCount: 250 });
    expect(listed.body.data[0].sessions).toHaveLength(5);

    await t.http.get('/sessions').query({ eventId: event.id }).expect(200, { data: [], nextCursor: null });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.http
        .get('/admin/sessions')
        .set(auth)
        .query({ eventId: event.id, limit: 100, ...(cursor ? { cursor } : {}) })
        .expect(200);
      seen.push(...ids(page.body.data));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(event.aheadIds);
    await t.http.get('/admin/sessions').expect(401);
  });

  it('documents sessionCount in the OpenAPI document', async () => {
    const { components } = (await t.http.get('/docs-json').expect(200)).body;
    expect(components.schemas.EventView.required).toContain('sessionCount');
    expect(components.schemas.EventView.properties.sessionCount.type).toBe('integer');
  });
});
