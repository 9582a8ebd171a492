import fc from 'fast-check';
import { factories, Factories } from './factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Hostile input, generated: wrong types, huge and empty values, SQL and script strings,
 * prototype-pollution keys, bad cursors, dates and ids. No answer may be a 5xx, and the service
 * must stay ready.
 */
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom(
    "' OR 1=1 --",
    "'; DROP TABLE sessions; --",
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '%00',
    '\u0000',
    '\uD800',
    '__proto__',
    'constructor',
    '${7*7}',
    '{{7*7}}',
    'null',
    'NaN',
    '-1',
    '1e309',
    '9999-99-99T99:99:99Z',
    '2027-02-30T10:00:00Z',
    '0000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    'eyJhIjoxfQ',
    'W1siMjAyNy0wOC0wMVQwMDowMDowMFoiLCJ4Il1d',
    'x'.repeat(5000),
    '=cmd|calc!A1',
  ),
);

const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype')), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const hostileBody = fc.oneof(
  hostileValue,
  fc.record(
    {
      name: hostileValue,
      email: hostileValue,
      title: hostileValue,
      timezone: hostileValue,
      startsAt: hostileValue,
      endsAt: hostileValue,
      capacity: hostileValue,
    },
    { requiredKeys: [] },
  ),
);

/** Percent-encodes what a client can send; lone surrogates cannot be encoded, so they go raw-escaped. */
const encode = (s: string): string => {
  try {
    return encodeURIComponent(s);
  } catch {
    return escape(s);
  }
};
const segment = fc.oneof(hostileString, fc.uuid()).map(encode);
/** Any JSON value as a request body (supertest only sends objects itself). */
const json = (body: unknown): string => JSON.stringify(body) ?? 'null';
const query = fc.dictionary(
  fc.constantFrom('from', 'to', 'q', 'category', 'eventId', 'limit', 'cursor', 'status', '__proto__', 'limit[]', 'from[gt]'),
  hostileString,
  { maxKeys: 4 },
);

describe('hostile input never produces a 5xx', () => {
  let t: TestApp;
  let f: Factories;
  let sessionId: string;
  let eventId: string;

  beforeAll(async () => {
    t = await createTestApp();
    f = await factories(t);
    const session = await f.publishedSession({ capacity: 5, waitlistEnabled: true });
    sessionId = session.id;
    eventId = session.eventId;
  });
  afterAll(() => t.close());

  const check = (status: number, what: unknown) => {
    if (status >= 500) throw new Error(`${status} for ${JSON.stringify(what).slice(0, 500)}`);
  };

  it('public reads with hostile paths and queries', async () => {
    const paths = ['/events', '/sessions', '/calendars/all.ics'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), query, segment, async (path, q, id) => {
        check((await t.http.get(path).query(q)).status, { path, q });
        for (const p of [
          `/events/${id}`,
          `/sessions/${id}`,
          `/registrations/${id}`,
          `/sessions/${id}/calendar.ics`,
          `/events/${id}/calendar.ics`,
          `/calendars/categories/${id}.ics`,
        ]) {
          check((await t.http.get(p)).status, p);
        }
        check((await t.http.delete(`/registrations/${id}`)).status, id);
      }),
      { numRuns: 60 },
    );
  });

  it('registrations and logins with hostile bodies and headers', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody, fc.option(hostileString), async (body, key) => {
        const req = t.http.post(`/sessions/${sessionId}/registrations`);
        // HTTP clients can only send visible ASCII in a header value.
        if (key !== null) req.set('Idempotency-Key', key.replace(/[^\x20-\x7e]/g, ''));
        check((await req.set('Content-Type', 'application/json').send(json(body))).status, { body, key });
        check((await t.http.post('/auth/login').set('Content-Type', 'application/json').send(json(body))).status, body);
      }),
      { numRuns: 120 },
    );
  });

  it('staff routes with a valid token and hostile bodies', async () => {
    const auth = { Authorization: `Bearer ${f.editorToken}` };
    await fc.assert(
      fc.asyncProperty(hostileBody, segment, query, async (body, id, q) => {
        const headers = { ...auth, 'Content-Type': 'application/json' };
        check((await t.http.post('/admin/events').set(headers).send(json(body))).status, body);
        check((await t.http.patch(`/admin/events/${eventId}`).set(headers).send(json(body))).status, body);
        check((await t.http.post(`/admin/events/${eventId}/sessions`).set(headers).send(json(body))).status, body);
        check((await t.http.patch(`/admin/sessions/${sessionId}`).set(headers).send(json(body))).status, body);
        check((await t.http.patch(`/admin/sessions/${id}`).set(headers).send(json(body))).status, id);
        check((await t.http.get('/admin/events').set(auth).query(q)).status, q);
        check((await t.http.get(`/admin/sessions/${sessionId}/registrations`).set(auth).query(q)).status, q);
        check((await t.http.post(`/admin/registrations/${id}/check-in`).set(auth)).status, id);
      }),
      { numRuns: 80 },
    );
  });

  it('raw bodies that are not JSON objects', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.constantFrom('{"a":', '[]', '""', '1', 'null', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}'),
        ),
        async (raw) => {
          const res = await t.http.post(`/sessions/${sessionId}/registrations`).set('Content-Type', 'application/json').send(raw);
          check(res.status, raw);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('leaves the service ready and what was stored intact', async () => {
    await t.http.get('/health/ready').expect(200);
    const session = await t.http.get(`/sessions/${sessionId}`).expect(200);
    expect(session.body.id).toBe(sessionId);
  });
});
