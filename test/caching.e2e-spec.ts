import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request, { type Response } from 'supertest';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/env.schema';
import { Database } from '../src/database/database';
import { ChangeNotifications, LISTENER_NAME } from '../src/events/change-notifications';
import { factories, Factories, inDays } from './factories';
import { BASE_URL, createTestApp, TestApp } from './support/test-app';
import { settled, until } from './support/until';

const ETAG = /^"[A-Za-z0-9_-]{27}"$/;

/** max-age of a Cache-Control that must be public with the stale-while-revalidate every cacheable answer carries. */
function maxAge(res: Response): number {
  const match = /^public, max-age=(\d+), stale-while-revalidate=30$/.exec(String(res.headers['cache-control']));
  if (!match) throw new Error(`not a public answer: ${res.status} ${String(res.headers['cache-control'])}`);
  return Number(match[1]);
}

/**
 * Moves this process's clock (Date only; timers, and PostgreSQL's clock, keep real time). The
 * listings take "now" from it, so this is time passing for them. Undone by jest.useRealTimers().
 */
function clockAt(ms: number): void {
  jest.useFakeTimers({
    now: ms,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}

let categories = 0;
/** A category of its own, so each test's listings show only its own sessions. */
const category = () => `Cache ${++categories} ${Date.now()}`;

/** The three cacheable answers that show one category (or one event's sessions). */
function boxPaths(event: { id: string; category: string }) {
  const c = encodeURIComponent(event.category);
  return {
    sessions: `/sessions?eventId=${event.id}`,
    events: `/events?category=${c}`,
    box: `/embed/upcoming?category=${c}`,
  };
}

/** Another instance of the app on the same database, like a second server behind the load balancer. */
async function secondInstance(t: TestApp): Promise<NestFastifyApplication> {
  const other = await createApp({
    ...loadConfig({ PUBLIC_BASE_URL: BASE_URL, LOG_LEVEL: 'silent', RATE_LIMIT: 'off' }),
    mail: { pollIntervalMs: 3_600_000 },
    databaseUrl: t.databaseUrl,
  });
  await other.getHttpAdapter().getInstance().ready();
  await until(() => other.get(ChangeNotifications).listening);
  return other;
}

describe('caching the public listings and the Upcoming Events box', () => {
  let t: TestApp;
  let f: Factories;
  let auth: { Authorization: string };
  let changes: ChangeNotifications;

  /** A published event of its own category with one session ten days ahead (capacity 5). */
  async function listed(sessionOverrides: Record<string, unknown> = {}) {
    const event = await f.event({ status: 'published', category: category(), organizer: 'TBJ' });
    const session = await f.session(event.id, { capacity: 5, ...sessionOverrides });
    await settled(changes);
    return { event: { id: event.id, category: event.category as string }, session };
  }

  beforeAll(async () => {
    // The outbox worker's polls go through the same Database: they would count as listing queries.
    t = await createTestApp({ mail: { pollIntervalMs: 3_600_000 } });
    f = await factories(t);
    auth = { Authorization: `Bearer ${f.editorToken}` };
    changes = t.app.get(ChangeNotifications);
    await until(() => changes.listening);
  });
  afterAll(() => t.close());

  it('answers a strong ETag and public Cache-Control, and 304 with no body to a matching If-None-Match', async () => {
    const { event } = await listed();
    for (const [name, path] of Object.entries(boxPaths(event))) {
      const first = await t.http.get(path).expect(200);
      expect({ name, etag: first.headers.etag }).toEqual({ name, etag: expect.stringMatching(ETAG) });
      expect(maxAge(first)).toBeLessThanOrEqual(name === 'box' ? 60 : 10);
      expect(maxAge(first)).toBeGreaterThan(0);
      const second = await t.http.get(path).expect(200);
      expect(second.headers.etag).toBe(first.headers.etag);
      expect(second.text).toBe(first.text);

      const etag: string = first.headers.etag;
      const notModified = await t.http.get(path).set('If-None-Match', etag).expect(304);
      expect(notModified.text).toBe('');
      expect(notModified.headers['content-type']).toBeUndefined();
      expect(notModified.headers.etag).toBe(etag);
      maxAge(notModified);
      // RFC 9110 §13.1.2: weak comparison, lists, and * (the answer exists).
      for (const header of [`W/${etag}`, `"other", ${etag}`, '*', ` ${etag} `]) {
        expect({ name, header, status: (await t.http.get(path).set('If-None-Match', header)).status }).toEqual({
          name,
          header,
          status: 304,
        });
      }
      const other = await t.http.get(path).set('If-None-Match', '"other"').expect(200);
      expect(other.text).toBe(first.text);
      // A reload (Cache-Control: no-cache) asks for validation by the origin: this is it (RFC 9111 §5.2.1.4).
      await t.http.get(path).set('If-None-Match', etag).set('Cache-Control', 'no-cache').expect(304);

      const head = await t.http.head(path).expect(200);
      expect(head.headers.etag).toBe(etag);
      maxAge(head);
      expect(head.text ?? '').toBe('');
      await t.http.head(path).set('If-None-Match', etag).expect(304);
    }
  });

  it('gives every query its own ETag', async () => {
    const { event } = await listed({ startsAt: inDays(10), endsAt: inDays(10, 1) });
    await f.session(event.id, { startsAt: inDays(11), endsAt: inDays(11, 1) });
    await settled(changes);
    const one = await t.http.get(`/sessions?eventId=${event.id}&limit=1`).expect(200);
    const two = await t.http.get(`/sessions?eventId=${event.id}&limit=2`).expect(200);
    const next = await t.http.get(`/sessions?eventId=${event.id}&limit=1&cursor=${one.body.nextCursor as string}`).expect(200);
    const c = encodeURIComponent(event.category);
    const box1 = await t.http.get(`/embed/upcoming?category=${c}&limit=1`).expect(200);
    const box2 = await t.http.get(`/embed/upcoming?category=${c}&limit=2`).expect(200);
    expect(new Set([one, two, next, box1, box2].map((r) => r.headers.etag)).size).toBe(5);
    // An ETag of one query is no validator for another.
    await t.http.get(`/sessions?eventId=${event.id}&limit=1`).set('If-None-Match', two.headers.etag).expect(200);
    await t.http.get(`/embed/upcoming?category=${c}&limit=1`).set('If-None-Match', box2.headers.etag).expect(200);
  });

  it('never caches an error: no ETag, Cache-Control: no-store, even with If-None-Match: *', async () => {
    for (const path of ['/sessions?limit=0', '/sessions?from=yesterday', '/events?cursor=not-a-cursor', '/events?nope=1']) {
      for (const headers of [{}, { 'If-None-Match': '*' }]) {
        const res = await t.http.get(path).set(headers);
        expect({ path, headers, status: res.status }).toEqual({ path, headers, status: 400 });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.headers.etag).toBeUndefined();
        expect(res.headers['cache-control']).toBe('no-store');
      }
    }
  });

  it('is one answer for every origin: Access-Control-Allow-Origin * and no Vary: Origin', async () => {
    const { event } = await listed();
    for (const path of Object.values(boxPaths(event))) {
      const answers = [
        await t.http.get(path).expect(200),
        await t.http.get(path).set('Origin', 'https://news.example').expect(200),
        await t.http.get(path).set('Origin', 'https://other-paper.example').expect(200),
      ];
      for (const res of answers) {
        expect(res.headers['access-control-allow-origin']).toBe('*');
        expect(String(res.headers.vary ?? '')).not.toMatch(/origin/i);
      }
      expect(new Set(answers.map((r) => r.headers.etag)).size).toBe(1);
      const notModified = await t.http
        .get(path)
        .set('Origin', 'https://news.example')
        .set('If-None-Match', answers[0].headers.etag)
        .expect(304);
      expect(notModified.headers['access-control-allow-origin']).toBe('*');
      expect(String(notModified.headers.vary ?? '')).not.toMatch(/origin/i);
    }
    // Staff answers still depend on the origin.
    const staff = await t.http.get('/admin/events').set(auth).set('Origin', 'https://news.example').expect(200);
    expect(staff.headers.vary).toMatch(/origin/i);
  });

  it('keeps staff and personal answers out of every cache', async () => {
    const { session } = await listed();
    for (const path of ['/admin/events', `/admin/sessions/${session.id}`, `/admin/sessions/${session.id}/registrations`]) {
      const res = await t.http.get(path).set(auth);
      expect({ path, status: res.status, cache: res.headers['cache-control'], etag: res.headers.etag }).toEqual({
        path,
        status: 200,
        cache: 'no-store',
        etag: undefined,
      });
    }
    expect((await t.http.get('/admin/events')).headers['cache-control']).toBe('no-store'); // the 401 too
    const registered = await f.register(session.id);
    expect(registered.headers['cache-control']).toBe('no-store');
    const mine = await t.http.get(`/registrations/${registered.body.manageToken as string}`).expect(200);
    expect(mine.headers['cache-control']).toBe('no-store');
    expect(mine.headers.etag).toBeUndefined();
  });

  it('answers 304 from memory with no query, and a new ETag after a staff change to what is listed', async () => {
    const { event, session } = await listed();
    const paths = boxPaths(event);
    const first = Object.fromEntries(
      await Promise.all(Object.entries(paths).map(async ([name, path]) => [name, await t.http.get(path).expect(200)] as const)),
    );
    const query = jest.spyOn(t.app.get(Database), 'query');
    try {
      for (const [name, path] of Object.entries(paths)) {
        // Asked for once, an answer is not kept (URLs asked once would crowd memory); asked again, it is.
        query.mockClear();
        await t.http.get(path).set('If-None-Match', first[name].headers.etag).expect(304);
        expect({ name, queried: query.mock.calls.length > 0 }).toEqual({ name, queried: true });
        query.mockClear();
        await t.http.get(path).set('If-None-Match', first[name].headers.etag).expect(304);
        await t.http.head(path).set('If-None-Match', first[name].headers.etag).expect(304);
        // A reader with no validator (a new visitor) gets the remembered bytes.
        const again = await t.http.get(path).expect(200);
        expect(again.text).toBe(first[name].text);
        expect({ name, queries: query.mock.calls.length }).toEqual({ name, queries: 0 });
      }
      // Many pollers of one URL after a change share one reading of it.
      await t.http.patch(`/admin/events/${event.id}`).set(auth).send({ title: 'Renamed for the box' }).expect(200);
      // Its notification arrives after the commit: let it land before counting.
      await settled(changes);
      query.mockClear();
      const burst = await Promise.all(
        Array.from({ length: 8 }, () => t.http.get(paths.sessions).set('If-None-Match', first.sessions.headers.etag)),
      );
      expect(burst.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(new Set(burst.map((r) => r.headers.etag)).size).toBe(1);
      expect(query).toHaveBeenCalledTimes(1);
    } finally {
      query.mockRestore();
    }
    for (const [name, path] of Object.entries(paths)) {
      const after = await t.http.get(path).set('If-None-Match', first[name].headers.etag).expect(200);
      expect({ name, changed: after.headers.etag !== first[name].headers.etag }).toEqual({ name, changed: true });
      expect(after.text).toContain('Renamed for the box');
    }
    // A staff change to a listed session (its capacity) too, though only the JSON shows it.
    const before = await t.http.get(paths.sessions).expect(200);
    await t.http.patch(`/admin/sessions/${session.id}`).set(auth).send({ capacity: 50 }).expect(200);
    const raised = await t.http.get(paths.sessions).set('If-None-Match', before.headers.etag).expect(200);
    expect(raised.body.data[0].availability.seatsRemaining).toBe(50);
  });

  it('keeps what it remembers while URLs asked for only once pass through', async () => {
    const { event } = await listed();
    const paths = boxPaths(event);
    await t.http.get(paths.box).expect(200);
    const remembered = await t.http.get(paths.box).expect(200);
    // More one-off URLs (a crawler walking instants) than the memory holds answers (1,000).
    const oneOff = (n: number) => `/sessions?limit=1&from=${new Date(Date.now() - 60_000 - n * 1000).toISOString()}`;
    for (let n = 0; n < 1100; n += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => t.http.get(oneOff(n + i)).expect(200)));
    }
    const query = jest.spyOn(t.app.get(Database), 'query');
    try {
      await t.http.get(paths.box).set('If-None-Match', remembered.headers.etag).expect(304);
      expect(query).not.toHaveBeenCalled();
    } finally {
      query.mockRestore();
    }
  });

  it('sees a change committed through another instance on the same database', async () => {
    const other = await secondInstance(t);
    try {
      const otherHttp = request(other.getHttpServer());
      const { event } = await listed();
      const paths = boxPaths(event);
      const before = Object.fromEntries(
        await Promise.all(Object.entries(paths).map(async ([name, path]) => [name, await otherHttp.get(path).expect(200)] as const)),
      );
      for (const [name, path] of Object.entries(paths))
        await otherHttp.get(path).set('If-None-Match', before[name].headers.etag).expect(304);

      await t.http.patch(`/admin/events/${event.id}`).set(auth).send({ title: 'Changed elsewhere' }).expect(200);
      // Sooner than any time bound (10 s for seats, 60 s for the box): the notification did it.
      for (const [name, path] of Object.entries(paths)) {
        await until(async () => (await otherHttp.get(path).set('If-None-Match', before[name].headers.etag)).status === 200);
        expect((await otherHttp.get(path).expect(200)).text).toContain('Changed elsewhere');
      }
    } finally {
      await other.close();
    }
  });

  it('stops answering from memory while change notifications are lost, and again once listening anew', async () => {
    const { event } = await listed();
    const paths = boxPaths(event);
    const before = Object.fromEntries(
      await Promise.all(Object.entries(paths).map(async ([name, path]) => [name, await t.http.get(path).expect(200)] as const)),
    );
    for (const [name, path] of Object.entries(paths)) await t.http.get(path).set('If-None-Match', before[name].headers.etag).expect(304);

    await t.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [LISTENER_NAME],
    );
    await until(() => !changes.listening);
    // Behind the app's back, as another instance would; nobody hears it.
    await t.db.query(`UPDATE events SET title = 'Unheard change', updated_at = now() WHERE id = $1`, [event.id]);
    const during: Record<string, Response> = {};
    const query = jest.spyOn(t.app.get(Database), 'query');
    try {
      for (const [name, path] of Object.entries(paths)) {
        during[name] = await t.http.get(path).set('If-None-Match', before[name].headers.etag).expect(200);
        expect(during[name].text).toContain('Unheard change');
        // Unchanged still answers 304, but read from the database: memory is not trusted meanwhile.
        query.mockClear();
        await t.http.get(path).set('If-None-Match', during[name].headers.etag).expect(304);
        expect({ name, queried: query.mock.calls.length > 0 }).toEqual({ name, queried: true });
      }
    } finally {
      query.mockRestore();
    }

    await until(() => changes.listening, 10_000);
    for (const [name, path] of Object.entries(paths)) {
      await t.http.get(path).set('If-None-Match', during[name].headers.etag).expect(304);
      // Nothing remembered from before the loss is trusted again.
      await t.http.get(path).set('If-None-Match', before[name].headers.etag).expect(200);
    }
  });

  it('keeps seat counts at most 10 s old, though registering notifies no one', async () => {
    const { event, session } = await listed();
    const paths = boxPaths(event);
    const readFrom = Date.now();
    // Twice each: an answer is remembered from the second time its URL is asked for.
    await Promise.all(Object.values(paths).map((path) => t.http.get(path).expect(200)));
    const before = Object.fromEntries(
      await Promise.all(Object.entries(paths).map(async ([name, path]) => [name, await t.http.get(path).expect(200)] as const)),
    );
    const readUntil = Date.now();
    expect(before.sessions.body.data[0].availability.seatsRemaining).toBe(5);
    const generation = changes.generation;
    expect((await f.register(session.id)).status).toBe(201);

    try {
      // Still the old counts, 7 s on: and a cache may keep them only what is left of the 10 s.
      clockAt(readFrom + 7_000);
      for (const name of ['sessions', 'events'] as const) {
        const res = await t.http.get(paths[name]).set('If-None-Match', before[name].headers.etag).expect(304);
        expect({ name, maxAge: maxAge(res) <= 3 + Math.ceil((readUntil - readFrom) / 1000) }).toEqual({ name, maxAge: true });
      }
      // The box shows no seats: its max-age is its own.
      expect(maxAge(await t.http.get(paths.box).set('If-None-Match', before.box.headers.etag).expect(304))).toBe(60);
      clockAt(readUntil + 10_001);
      for (const name of ['sessions', 'events'] as const) {
        const res = await t.http.get(paths[name]).set('If-None-Match', before[name].headers.etag).expect(200);
        const seats =
          name === 'sessions' ? res.body.data[0].availability.seatsRemaining : res.body.data[0].sessions[0].availability.seatsRemaining;
        expect({ name, seats }).toEqual({ name, seats: 4 });
      }
      await t.http.get(paths.box).set('If-None-Match', before.box.headers.etag).expect(304);
    } finally {
      jest.useRealTimers();
    }
    expect(changes.generation).toBe(generation);
  });

  it('changes when time alone changes the answer: a listed session starting, a registration window closing', async () => {
    const turn = Date.now() + 3_600_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const { event, session: starting } = await listed({ startsAt: iso(turn), endsAt: inDays(1) });
    const closing = await f.session(event.id, { startsAt: inDays(2), endsAt: inDays(2, 1), registrationClosesAt: iso(turn) });
    await settled(changes);
    const generation = changes.generation;
    const paths = boxPaths(event);
    try {
      clockAt(turn - 3_500);
      const before = Object.fromEntries(
        await Promise.all(Object.entries(paths).map(async ([name, path]) => [name, await t.http.get(path).expect(200)] as const)),
      );
      // No cache keeps them as fresh past the turn.
      for (const [name, res] of Object.entries(before)) expect({ name, maxAge: maxAge(res) }).toEqual({ name, maxAge: 3 });
      expect(before.sessions.body.data.map((s: { id: string }) => s.id)).toEqual([starting.id, closing.id]);
      expect(before.sessions.body.data[1].availability.state).toBe('open');
      expect(before.box.text.match(/<li>/g)).toHaveLength(2);
      for (const [name, path] of Object.entries(paths)) await t.http.get(path).set('If-None-Match', before[name].headers.etag).expect(304);

      clockAt(turn + 1);
      const after = Object.fromEntries(
        await Promise.all(
          Object.entries(paths).map(
            async ([name, path]) => [name, await t.http.get(path).set('If-None-Match', before[name].headers.etag)] as const,
          ),
        ),
      );
      for (const [name, res] of Object.entries(after)) expect({ name, status: res.status }).toEqual({ name, status: 200 });
      expect(after.sessions.body.data.map((s: { id: string; availability: { state: string } }) => [s.id, s.availability.state])).toEqual([
        [closing.id, 'closed'],
      ]);
      expect(after.events.body.data[0].sessions).toHaveLength(1);
      expect(after.box.text.match(/<li>/g)).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
    expect(changes.generation).toBe(generation);
  });
});
