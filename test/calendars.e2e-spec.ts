import { FeedStampSum } from '../src/calendars/calendar-feed';
import { FEED_MAX_SESSIONS, FeedRow, feedRowsSql, FeedScope, FeedStampRow, feedStampSql } from '../src/calendars/calendar-feed.queries';
import ICAL from 'ical.js';
import type { Response } from 'supertest';
import request from 'supertest';
import { createApp } from '../src/app.factory';
import { hashToken } from '../src/auth/tokens';
import { ChangeNotifications, LISTENER_NAME } from '../src/events/change-notifications';
import { CalendarsController } from '../src/calendars/calendars.controller';
import { RENDERS_WAITING } from '../src/calendars/calendars.service';
import * as renderModule from '../src/calendars/render-calendar';
import { loadConfig } from '../src/config/env.schema';
import { Database } from '../src/database/database';
import { factories, Factories, inDays } from './factories';
import { BASE_URL, createTestApp, TestApp } from './support/test-app';
import { settled, until } from './support/until';

interface ParsedEvent {
  uid: string;
  zone: string | undefined;
  start: string;
  end: string;
  startHour: number;
  summary: string;
  description: string;
  location: string | null;
  url: string | null;
  sequence: number;
  status: string;
}

/** Parses as Thunderbird does: the feed's own VTIMEZONEs are the only zone definitions. */
function parse(ics: string): { name: string; events: ParsedEvent[]; byUid: Map<string, ParsedEvent> } {
  ICAL.TimezoneService.reset();
  const calendar = new ICAL.Component(ICAL.parse(ics));
  for (const vtimezone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtimezone);
  const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      zone: event.startDate.zone?.tzid,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      startHour: event.startDate.hour,
      summary: event.summary,
      description: event.description,
      location: event.location,
      url: vevent.getFirstPropertyValue('url') as string | null,
      sequence: event.sequence,
      status: String(vevent.getFirstPropertyValue('status')),
    };
  });
  return {
    name: unescapeText(String(calendar.getFirstPropertyValue('x-wr-calname'))),
    events,
    byUid: new Map(events.map((e) => [e.uid, e])),
  };
}

/** ical.js leaves X- properties raw; this is the TEXT unescaping a calendar program applies to the name. */
function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

const uid = (sessionId: string) => `${sessionId}@eventline`;

/** RFC 5545 §3.1: CRLF after every line, none longer than 75 octets. */
function expectWellFormed(ics: string): void {
  expect(ics.endsWith('\r\n')).toBe(true);
  const lines = ics.slice(0, -2).split('\r\n');
  for (const line of lines) {
    expect(line).not.toMatch(/[\r\n]/);
    expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
  }
  expect(lines[0]).toBe('BEGIN:VCALENDAR');
  expect(lines[lines.length - 1]).toBe('END:VCALENDAR');
}

describe('calendar feeds', () => {
  let t: TestApp;
  let f: Factories;
  let auth: { Authorization: string };

  /** GETs a feed and checks what every feed answer carries. */
  async function feed(path: string, headers: Record<string, string> = {}): Promise<Response & { text: string }> {
    const res = await t.http.get(path).set(headers).buffer(true);
    if (res.status === 200) {
      expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
      expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      expect(new Date(res.headers['last-modified']).toUTCString()).toBe(res.headers['last-modified']);
      expectWellFormed(res.text);
    }
    return res;
  }

  const patchEvent = (id: string, body: object) => t.http.patch(`/admin/events/${id}`).set(auth).send(body).expect(200);
  const patchSession = (id: string, body: object) => t.http.patch(`/admin/sessions/${id}`).set(auth).send(body).expect(200);

  beforeAll(async () => {
    // The outbox worker's polls go through the same Database: they would count as feed queries.
    t = await createTestApp({ mail: { pollIntervalMs: 3_600_000 } });
    f = await factories(t);
    auth = { Authorization: `Bearer ${f.editorToken}` };
  });
  afterAll(() => t.close());

  it('serves one session as a download: headers, UID, place and link', async () => {
    const event = await f.event({
      status: 'published',
      venue: { name: 'Hall A', address: '1 Main St', city: 'Springfield', region: 'OR', postalCode: '97477', country: 'US' },
    });
    const session = await f.session(event.id);

    const res = await feed(`/sessions/${session.id}/calendar.ics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${event.slug}.ics"`);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const { events } = parse(res.text);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      uid: uid(session.id),
      summary: event.title,
      location: 'Hall A, 1 Main St, Springfield, OR 97477, US',
      url: `${BASE_URL}/sessions/${session.id}`,
      status: 'CONFIRMED',
      sequence: 0,
    });
    // The JSON links point at the feeds.
    const json = await t.http.get(`/sessions/${session.id}`).expect(200);
    expect(json.body.links.ics).toBe(`${BASE_URL}/sessions/${session.id}/calendar.ics`);
  });

  it('writes 18:00 America/Los_Angeles as that wall time in summer and in winter', async () => {
    const year = new Date().getUTCFullYear() + 1;
    const event = await f.event({ status: 'published', onlineUrl: 'https://meet.example.com/abc' });
    const summer = await f.session(event.id, { startsAt: `${year}-07-15T18:00:00-07:00`, endsAt: `${year}-07-15T20:00:00-07:00` });
    const winter = await f.session(event.id, { startsAt: `${year}-12-15T18:00:00-08:00`, endsAt: `${year}-12-15T20:00:00-08:00` });

    const { byUid, name } = parse((await feed(`/events/${event.slug}/calendar.ics`)).text);
    expect(name).toBe(event.title);
    expect(byUid.get(uid(summer.id))).toMatchObject({
      zone: 'America/Los_Angeles',
      startHour: 18,
      start: `${year}-07-16T01:00:00.000Z`,
      end: `${year}-07-16T03:00:00.000Z`,
      location: 'https://meet.example.com/abc',
    });
    expect(byUid.get(uid(winter.id))).toMatchObject({ zone: 'America/Los_Angeles', startHour: 18, start: `${year}-12-16T02:00:00.000Z` });
    // By id too, the same feed.
    expect(parse((await feed(`/events/${event.id}/calendar.ics`)).text).events).toHaveLength(2);
  });

  it('keeps the UID, grows SEQUENCE on a new time and on cancelling, and keeps the cancelled session', async () => {
    const session = await f.publishedSession();
    const path = `/sessions/${session.id}/calendar.ics`;
    const before = parse((await feed(path)).text).events[0];

    const startsAt = inDays(11);
    await patchSession(session.id, { startsAt, endsAt: inDays(11, 2) });
    const moved = parse((await feed(path)).text).events[0];
    expect(moved.uid).toBe(before.uid);
    expect(moved.sequence).toBe(before.sequence + 1);
    // iCalendar times have whole seconds.
    expect(moved.start).toBe(startsAt.replace(/\.\d{3}Z$/, '.000Z'));

    await t.http.post(`/admin/sessions/${session.id}/cancel`).set(auth).expect(200);
    const cancelled = parse((await feed(path)).text).events[0];
    expect(cancelled).toMatchObject({ uid: before.uid, status: 'CANCELLED', sequence: before.sequence + 2 });
    const all = parse((await feed('/calendars/all.ics')).text);
    expect(all.byUid.get(uid(session.id))).toMatchObject({ status: 'CANCELLED', sequence: before.sequence + 2 });
  });

  it('shows every session of a cancelled event as cancelled, in its feed and in all.ics', async () => {
    const event = await f.event({ status: 'published' });
    const a = await f.session(event.id, { startsAt: inDays(3), endsAt: inDays(3, 1) });
    const b = await f.session(event.id, { startsAt: inDays(4), endsAt: inDays(4, 1) });
    await t.http.post(`/admin/events/${event.id}/cancel`).set(auth).expect(200);

    for (const path of [`/events/${event.id}/calendar.ics`, '/calendars/all.ics']) {
      const { byUid } = parse((await feed(path)).text);
      for (const s of [a, b]) expect(byUid.get(uid(s.id))).toMatchObject({ status: 'CANCELLED', sequence: 1 });
    }
  });

  it('never shows drafts, and answers 404 problem+json for drafts, unknown and malformed ids', async () => {
    const draft = await f.event({ title: 'Secret draft', category: 'Drafty' });
    const session = await f.session(draft.id);
    const all = parse((await feed('/calendars/all.ics')).text);
    expect(all.byUid.has(uid(session.id))).toBe(false);
    expect(parse((await feed('/calendars/categories/drafty.ics')).text).events).toEqual([]);

    for (const path of [
      `/events/${draft.id}/calendar.ics`,
      `/events/${draft.slug}/calendar.ics`,
      `/sessions/${session.id}/calendar.ics`,
      '/sessions/not-a-uuid/calendar.ics',
      '/sessions/00000000-0000-4000-8000-000000000000/calendar.ics',
      '/events/No%20Such%20Slug!/calendar.ics',
      '/events/no-such-event/calendar.ics',
      '/events/bad%00slug/calendar.ics',
    ]) {
      const res = await t.http.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }

    await t.http.post(`/admin/events/${draft.id}/publish`).set(auth).expect(200);
    expect(parse((await feed('/calendars/all.ics')).text).byUid.has(uid(session.id))).toBe(true);
  });

  it('reaches 30 days back in all.ics and category feeds; the event feed keeps every session', async () => {
    const event = await f.event({ status: 'published', category: 'History' });
    const old = await f.session(event.id, { startsAt: inDays(-40), endsAt: inDays(-40, 2) });
    const recent = await f.session(event.id, { startsAt: inDays(-10), endsAt: inDays(-10, 2) });

    for (const path of ['/calendars/all.ics', '/calendars/categories/history.ics']) {
      const { byUid } = parse((await feed(path)).text);
      expect({ path, old: byUid.has(uid(old.id)), recent: byUid.has(uid(recent.id)) }).toEqual({ path, old: false, recent: true });
    }
    const { byUid } = parse((await feed(`/events/${event.slug}/calendar.ics`)).text);
    expect([byUid.has(uid(old.id)), byUid.has(uid(recent.id))]).toEqual([true, true]);

    // The window moving past a session changes the feed, and so its ETag. (Written behind the
    // app's back, like another instance would: its notification is awaited.)
    const before = await feed('/calendars/categories/history.ics');
    const changes = t.app.get(ChangeNotifications);
    const generation = changes.generation;
    await t.db.query(`UPDATE sessions SET starts_at = now() - interval '31 days', ends_at = now() - interval '30 days' WHERE id = $1`, [
      recent.id,
    ]);
    await until(() => changes.generation !== generation);
    const after = await feed('/calendars/categories/history.ics');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(parse(after.text).events).toEqual([]);
  });

  it('answers 304 to a matching If-None-Match or If-Modified-Since, and a new ETag and body after edits', async () => {
    const session = await f.publishedSession({}, { title: 'Original title' });
    const paths = [`/sessions/${session.id}/calendar.ics`, `/events/${session.eventId}/calendar.ics`, '/calendars/all.ics'];
    for (const path of paths) {
      const first = await feed(path);
      const second = await feed(path);
      expect(second.headers.etag).toBe(first.headers.etag);
      expect(Buffer.from(second.text).equals(Buffer.from(first.text))).toBe(true);

      const byTag = await t.http.get(path).set('If-None-Match', first.headers.etag);
      expect(byTag.status).toBe(304);
      expect(byTag.text).toBe('');
      expect(byTag.headers.etag).toBe(first.headers.etag);
      expect((await t.http.get(path).set('If-None-Match', `"stale", W/${first.headers.etag}`)).status).toBe(304);
      expect((await t.http.get(path).set('If-Modified-Since', first.headers['last-modified'])).status).toBe(304);
      expect((await t.http.get(path).set('If-Modified-Since', new Date(0).toUTCString())).status).toBe(200);
      expect((await t.http.get(path).set('If-None-Match', '"something-else"')).status).toBe(200);
    }

    const before = await Promise.all(paths.map((p) => feed(p)));
    await patchEvent(session.eventId, { title: 'Renamed title' });
    const after = await Promise.all(paths.map((p) => feed(p)));
    after.forEach((res, i) => {
      expect(res.headers.etag).not.toBe(before[i].headers.etag);
      expect(parse(res.text).byUid.get(uid(session.id))?.summary).toBe('Renamed title');
      expect(res.text).not.toBe(before[i].text);
    });
    expect((await t.http.get(paths[0]).set('If-None-Match', before[0].headers.etag)).status).toBe(200);

    // A new session of the event changes its feed too.
    await f.session(session.eventId, { startsAt: inDays(20), endsAt: inDays(20, 1) });
    const more = await feed(paths[1]);
    expect(more.headers.etag).not.toBe(after[1].headers.etag);
    expect(parse(more.text).events).toHaveLength(2);
  });

  it('answers polls of an unchanged feed from memory (no query, no rendering) and sees a change at once', async () => {
    await f.publishedSession();
    const changes = t.app.get(ChangeNotifications);
    await until(() => changes.listening);
    await settled(changes);
    const sql = t.app.get(Database);
    const query = jest.spyOn(sql, 'query');
    const rows = jest.spyOn(sql, 'inBatches');
    const render = jest.spyOn(renderModule.CalendarWriter.prototype, 'finish');
    try {
      const first = await feed('/calendars/all.ics');
      const generation = changes.generation;
      query.mockClear();
      rows.mockClear();
      render.mockClear();

      const notModified = await t.http.get('/calendars/all.ics').set('If-None-Match', first.headers.etag).expect(304);
      expect(notModified.text).toBe('');
      expect(notModified.headers['content-type']).toBeUndefined();
      const again = await feed('/calendars/all.ics');
      expect(again.text).toBe(first.text);
      expect(query).not.toHaveBeenCalled();
      expect(rows).not.toHaveBeenCalled();
      expect(render).not.toHaveBeenCalled();

      // A commit is notified; then validators, rows and one rendering.
      await f.publishedSession();
      await until(() => changes.generation !== generation);
      await settled(changes);
      query.mockClear();
      rows.mockClear();
      const changed = await t.http.get('/calendars/all.ics').set('If-None-Match', first.headers.etag).buffer(true);
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).not.toBe(first.headers.etag);
      expect(query).toHaveBeenCalledTimes(1);
      expect(rows).toHaveBeenCalledTimes(1);
      expect(render).toHaveBeenCalledTimes(1);

      // Many pollers at once after a change: one validators query and one rendering between them.
      const generation2 = changes.generation;
      await f.publishedSession();
      await until(() => changes.generation !== generation2);
      // The factory commits several times: let every notification land before counting queries.
      await settled(changes);
      query.mockClear();
      rows.mockClear();
      render.mockClear();
      const burst = await Promise.all(
        Array.from({ length: 10 }, () => t.http.get('/calendars/all.ics').set('If-None-Match', changed.headers.etag).buffer(true)),
      );
      expect(burst.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(new Set(burst.map((r) => r.headers.etag)).size).toBe(1);
      expect(query).toHaveBeenCalledTimes(1);
      expect(rows).toHaveBeenCalledTimes(1);
      expect(render).toHaveBeenCalledTimes(1);
    } finally {
      query.mockRestore();
      rows.mockRestore();
      render.mockRestore();
    }
  });

  it('sums the validators from the rendered rows exactly as the validators query aggregates them', async () => {
    const session = await f.publishedSession({ startsAt: inDays(3), endsAt: inDays(3, 2) });
    await f.session(session.eventId, { startsAt: inDays(4), endsAt: inDays(4, 2) });
    await patchSession(session.id, { startsAt: inDays(5), endsAt: inDays(5, 2) }); // a SEQUENCE above 0
    const empty = await f.event({ status: 'published' });
    const registered = await f.register(session.id);
    await t.http.delete(`/registrations/${registered.body.manageToken}`).expect(200);
    const sql = t.app.get(Database);
    const scopes: FeedScope[] = [
      { kind: 'all', since: new Date(Date.now() - 30 * 24 * 3600_000) },
      { kind: 'event', by: 'id', value: session.eventId },
      { kind: 'event', by: 'id', value: empty.id },
      { kind: 'session', sessionId: session.id },
      { kind: 'registration', tokenHash: hashToken(registered.body.manageToken) },
    ];
    for (const scope of scopes) {
      const stamp = feedStampSql(scope);
      const [expected] = await sql.query<FeedStampRow>(stamp.text, stamp.params);
      const rows = feedRowsSql(scope);
      const sum = new FeedStampSum();
      for (const row of await sql.query<FeedRow>(rows.text, rows.params)) sum.add(row);
      expect(expected.row_count).toBeGreaterThan(0);
      expect(sum.result()).toEqual(expected);
    }
  });

  it('sees a change committed through another instance on the same database', async () => {
    const other = await createApp({
      ...loadConfig({ PUBLIC_BASE_URL: BASE_URL, LOG_LEVEL: 'silent', RATE_LIMIT: 'off' }),
      databaseUrl: t.databaseUrl,
    });
    try {
      await other.getHttpAdapter().getInstance().ready();
      await until(() => other.get(ChangeNotifications).listening);
      const otherHttp = request(other.getHttpServer());
      const session = await f.publishedSession({}, { title: 'Before' });
      const path = `/events/${session.eventId}/calendar.ics`;
      const before = await otherHttp.get(path).buffer(true).expect(200);
      await otherHttp.get(path).set('If-None-Match', before.headers.etag).expect(304);

      await patchEvent(session.eventId, { title: 'After' });
      // Within the wait, shorter than the validators' safety TTL: the notification did it.
      await until(async () => (await otherHttp.get(path).set('If-None-Match', before.headers.etag)).status === 200);
      const after = await otherHttp.get(path).buffer(true).expect(200);
      expect(parse(after.text).events[0].summary).toBe('After');
    } finally {
      await other.close();
    }
  });

  it('queries validators while change notifications are lost, and listens again', async () => {
    const session = await f.publishedSession({}, { title: 'Heard' });
    const path = `/events/${session.eventId}/calendar.ics`;
    const changes = t.app.get(ChangeNotifications);
    await until(() => changes.listening);
    const before = await feed(path);
    await t.http.get(path).set('If-None-Match', before.headers.etag).expect(304);

    await t.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [LISTENER_NAME],
    );
    await until(() => !changes.listening);
    await t.db.query(`UPDATE events SET title = 'Unheard', updated_at = now() WHERE id = $1`, [session.eventId]);
    const during = await feed(path, { 'If-None-Match': before.headers.etag });
    expect(during.status).toBe(200);
    expect(parse(during.text).events[0].summary).toBe('Unheard');

    await until(() => changes.listening);
    await t.http.get(path).set('If-None-Match', during.headers.etag).expect(304);
  });

  it("serves a registration's session by its token, privately, and shows it cancelled once cancelled", async () => {
    const session = await f.publishedSession();
    const registered = await f.register(session.id);
    expect(registered.status).toBe(201);
    const { manageToken } = registered.body;
    const path = `/registrations/${manageToken}/calendar.ics`;
    expect(registered.body.links.ics).toBe(`${BASE_URL}${path}`);

    const res = await feed(path);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toMatch(/^private/);
    const [event] = parse(res.text).events;
    expect(event).toMatchObject({ uid: uid(session.id), status: 'CONFIRMED', sequence: 0 });

    await t.http.delete(`/registrations/${manageToken}`).expect(200);
    const cancelled = await feed(path, { 'If-None-Match': res.headers.etag });
    expect(cancelled.status).toBe(200);
    expect(parse(cancelled.text).events[0]).toMatchObject({ uid: uid(session.id), status: 'CANCELLED', sequence: 1 });

    for (const bogus of ['bogus', 'A'.repeat(43), `${manageToken}x`]) {
      const miss = await t.http.get(`/registrations/${bogus}/calendar.ics`);
      expect(miss.status).toBe(404);
      expect(miss.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('matches categories case-insensitively; an unknown category is an empty calendar, a malformed path 4xx', async () => {
    const session = await f.publishedSession({}, { category: 'Live Music' });
    for (const path of ['/calendars/categories/live%20music.ics', '/calendars/categories/LIVE%20MUSIC.ics']) {
      const { byUid } = parse((await feed(path)).text);
      expect(byUid.has(uid(session.id))).toBe(true);
    }
    // Named as its events spell the category, whatever spelling was asked for.
    expect(parse((await feed('/calendars/categories/live%20music.ics')).text).name).toBe('Live Music sessions');

    const empty = await feed('/calendars/categories/no-such-category.ics');
    expect(empty.status).toBe(200);
    expect(parse(empty.text)).toMatchObject({ name: 'No-such-category sessions', events: [] });
    expect((await t.http.get('/calendars/categories/no-such-category.ics').set('If-None-Match', empty.headers.etag)).status).toBe(304);

    // One rule for every name, even those no event can carry (a NUL, 65 characters): an empty calendar.
    for (const path of [`/calendars/categories/${'x'.repeat(65)}.ics`, '/calendars/categories/a%00b.ics']) {
      expect({ path, status: (await t.http.get(path)).status }).toEqual({ path, status: 200 });
    }
    expect((await t.http.get('/calendars/categories/.ics')).status).toBe(404);
    for (const path of ['/calendars/categories/%ED%A0%80.ics', '/calendars/categories/%E0%A4%A.ics', '/calendars/categories/music']) {
      const { status } = await t.http.get(path);
      expect({ path, status: status >= 400 && status < 500 }).toEqual({ path, status: true });
    }

    const index = await t.http.get('/calendars').expect(200);
    expect(index.body.all).toEqual({
      ics: `${BASE_URL}/calendars/all.ics`,
      webcal: 'webcal://eventline.test/calendars/all.ics',
      google: `https://calendar.google.com/calendar/r?cid=${encodeURIComponent('webcal://eventline.test/calendars/all.ics')}`,
    });
    expect(index.body.categories).toContainEqual({
      category: 'Live Music',
      links: expect.objectContaining({ ics: `${BASE_URL}/calendars/categories/Live%20Music.ics` }),
    });
  });

  it('round-trips commas, semicolons, quotes, backslashes, newlines and emoji, folding long lines', async () => {
    const title = 'Jazz, blues; "quoted" \\ back\nslash — 🎷🎺 ' + 'long '.repeat(20) + '🎉';
    const event = await f.event({
      status: 'published',
      title,
      summary: 'Line one\nLine two; with, punctuation',
      venue: { name: 'Café "Zur Post"; Saal 2', city: 'Köln', country: 'DE' },
    });
    const session = await f.session(event.id);
    const res = await feed(`/sessions/${session.id}/calendar.ics`);
    expect(res.text).toMatch(/\r\n /); // folded
    const { events, name } = parse(res.text);
    expect(name).toBe(title);
    expect(events[0].summary).toBe(title);
    expect(events[0].description).toContain('Line one\nLine two; with, punctuation');
    expect(events[0].location).toBe('Café "Zur Post"; Saal 2, Köln, DE');
  });
  it('documents every feed in the OpenAPI document: text/calendar, 304, and 404 where a feed can be missing', async () => {
    const { paths } = (await t.http.get('/docs-json').expect(200)).body;
    const feeds = {
      '/calendars/all.ics': false,
      '/calendars/categories/{category}.ics': false,
      '/events/{idOrSlug}/calendar.ics': true,
      '/sessions/{id}/calendar.ics': true,
      '/registrations/{token}/calendar.ics': true,
    };
    for (const [path, missing] of Object.entries(feeds)) {
      const get = paths[path]?.get;
      expect({ path, tags: get?.tags }).toEqual({ path, tags: ['calendars'] });
      expect(Object.keys(get.responses['200'].content)).toEqual(['text/calendar']);
      expect(get.responses['200'].content['text/calendar'].schema.type).toBe('string');
      expect(get.responses['304']).toBeDefined();
      expect(Boolean(get.responses['404'])).toBe(missing);
    }
    expect(paths['/calendars'].get.tags).toEqual(['calendars']);
  });
});

describe('feed size', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it(`renders at most ${FEED_MAX_SESSIONS} sessions, the earliest first`, async () => {
    const [{ id: eventId }]: { id: string }[] = await t.db.query(
      `INSERT INTO events (slug, title, timezone, status, category) VALUES ('bulk', 'Bulk', 'UTC', 'published', 'Bulk') RETURNING id`,
    );
    await t.db.query(
      `INSERT INTO sessions (event_id, starts_at, ends_at, timezone)
       SELECT $1, date_trunc('hour', now()) + g * interval '1 hour', date_trunc('hour', now()) + g * interval '1 hour' + interval '30 minutes', 'UTC'
         FROM generate_series(1, $2::int) g`,
      [eventId, FEED_MAX_SESSIONS + 5],
    );
    const res = await t.http.get('/calendars/categories/bulk.ics').buffer(true).expect(200);
    const lines = res.text.split('\r\n');
    const starts = lines.filter((l) => l.startsWith('DTSTART')).map((l) => l.slice(l.indexOf(':') + 1));
    expect(starts).toHaveLength(FEED_MAX_SESSIONS);
    const [{ last }]: { last: Date }[] = await t.db.query(
      `SELECT starts_at AS last FROM sessions WHERE event_id = $1 ORDER BY starts_at OFFSET $2 LIMIT 1`,
      [eventId, FEED_MAX_SESSIONS - 1],
    );
    expect(starts[starts.length - 1]).toBe(
      last
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, ''),
    );

    // The validators describe the rendered sessions: an edit past the cap leaves the bytes, and
    // so the ETag, as they were; an edit to a rendered session changes both.
    const etag = res.headers.etag;
    const changes = t.app.get(ChangeNotifications);
    const editNth = async (offset: number) => {
      const generation = changes.generation;
      await t.db.query(
        `UPDATE sessions SET updated_at = clock_timestamp()
          WHERE id = (SELECT id FROM sessions WHERE event_id = $1 ORDER BY starts_at, id OFFSET $2 LIMIT 1)`,
        [eventId, offset],
      );
      await until(() => changes.generation !== generation);
    };
    await editNth(FEED_MAX_SESSIONS + 2);
    await t.http.get('/calendars/categories/bulk.ics').set('If-None-Match', etag).expect(304);
    await editNth(FEED_MAX_SESSIONS - 1);
    const changed = await t.http.get('/calendars/categories/bulk.ics').set('If-None-Match', etag).expect(200);
    expect(changed.headers.etag).not.toBe(etag);
  });
});

describe('feed load bounds', () => {
  let t: TestApp;
  let f: Factories;
  beforeAll(async () => {
    t = await createTestApp();
    f = await factories(t);
  });
  afterAll(() => t.close());

  it('serves every letter case of a category from one cache entry and one rendering', async () => {
    const session = await f.publishedSession({}, { category: 'Board Games' });
    const sql = t.app.get(Database);
    const rows = jest.spyOn(sql, 'inBatches');
    const render = jest.spyOn(renderModule.CalendarWriter.prototype, 'finish');
    try {
      const spellings = Array.from({ length: 16 }, (_, i) =>
        [...'board games'].map((c, j) => ((i >> (j % 4)) & 1 ? c.toUpperCase() : c)).join(''),
      );
      expect(new Set(spellings).size).toBe(16);
      const answers = await Promise.all(
        spellings.map((c) => t.http.get(`/calendars/categories/${encodeURIComponent(c)}.ics`).buffer(true)),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(16).fill(200));
      expect(new Set(answers.map((r) => r.headers.etag)).size).toBe(1);
      expect(new Set(answers.map((r) => r.text)).size).toBe(1);
      const { name, byUid } = parse(answers[0].text);
      expect(name).toBe('Board Games sessions');
      expect(byUid.has(uid(session.id))).toBe(true);
      expect(rows).toHaveBeenCalledTimes(1);
      expect(render).toHaveBeenCalledTimes(1);

      // Later, another spelling: the cached body, no rendering.
      const later = await t.http.get('/calendars/categories/BOARD%20GAMES.ics').buffer(true).expect(200);
      expect(later.text).toBe(answers[0].text);
      expect(render).toHaveBeenCalledTimes(1);
    } finally {
      rows.mockRestore();
      render.mockRestore();
    }
  });

  it(`renders two feeds at once with ${RENDERS_WAITING} waiting; past that a feed answers 503 with Retry-After`, async () => {
    const sql = t.app.get(Database);
    const original = sql.inBatches.bind(sql);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // Renderings stay under way until the gate opens, so the requests below really overlap.
    const rows = jest.spyOn(sql, 'inBatches').mockImplementation(async (...args: Parameters<Database['inBatches']>) => {
      await gate;
      return original(...args);
    });
    try {
      const admitted = 2 + RENDERS_WAITING;
      const statuses: number[] = [];
      const requests = Array.from({ length: admitted + 2 }, (_, i) =>
        t.http
          .get(`/calendars/categories/queue-${i}.ics`)
          .buffer(true)
          .then((res) => {
            statuses.push(res.status);
            return res;
          }),
      );
      await until(() => statuses.length === 2, 5000);
      expect(rows).toHaveBeenCalledTimes(2);
      open();
      const answers = await Promise.all(requests);
      const refused = answers.filter((r) => r.status === 503);
      expect(refused).toHaveLength(2);
      expect(answers.filter((r) => r.status === 200)).toHaveLength(admitted);
      for (const res of refused) {
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.headers['retry-after']).toBe('2');
        expect(JSON.parse(res.text)).toMatchObject({ status: 503, type: `${BASE_URL}/problems/service-unavailable` });
      }
      // Refused feeds render once asked again.
      const again = await t.http.get(new URL(refused[0].request.url).pathname).buffer(true);
      expect(again.status).toBe(200);
    } finally {
      open();
      rows.mockRestore();
    }
  });

  it('bounds the bytes held for readers not yet drained, and frees them once a response is done', async () => {
    const held = t.app.get(CalendarsController).held;
    const first = await t.http.get('/calendars/all.ics').buffer(true).expect(200);
    expect(held.bytes).toBe(0);

    // Another body already holds the whole bound, as readers that never read would.
    const release = held.hold(Buffer.alloc(held.maxBytes));
    try {
      const refused = await t.http.get('/calendars/all.ics');
      expect(refused.status).toBe(503);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.headers['retry-after']).toBe('2');
      // A 304 holds no body, so it is still answered.
      await t.http.get('/calendars/all.ics').set('If-None-Match', first.headers.etag).expect(304);
    } finally {
      release?.();
    }
    await t.http.get('/calendars/all.ics').buffer(true).expect(200);
    expect(held.bytes).toBe(0);
  });
});
