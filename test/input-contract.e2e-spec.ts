import { factories, Factories } from './factories';
import { createTestApp, TestApp } from './support/test-app';

const PROBLEM = /^application\/problem\+json/;
const problemType = (slug: string) => `http://eventline.test/problems/${slug}`;

/** Input found from outside to break the contract (issue 9, section 4): each answer is a clear 4xx, or accepted. */
describe('input that used to break the contract', () => {
  let t: TestApp;
  let f: Factories;
  let sessionId: string;
  let auth: { Authorization: string };

  beforeAll(async () => {
    t = await createTestApp();
    f = await factories(t);
    sessionId = (await f.publishedSession({ capacity: 5 })).id;
    auth = { Authorization: `Bearer ${f.editorToken}` };
  });
  afterAll(() => t.close());

  describe('deeply nested JSON', () => {
    const deep = (depth: number) => `{"x":${'['.repeat(depth)}`;
    const closedDeep = (depth: number) => `{"name":"A","email":"a@example.com","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;

    it.each([
      ['POST', `/sessions/:id/registrations`],
      ['POST', '/auth/login'],
      ['POST', '/admin/events'],
      ['PATCH', '/admin/sessions/:id'],
    ])('%s %s with 2,000 open brackets is a 400, not a stack overflow', async (method, path) => {
      const url = path.replace(':id', sessionId);
      for (const body of [deep(2000), closedDeep(2000), closedDeep(100_000 / 2 - 100)]) {
        const res = await t.http[method === 'POST' ? 'post' : 'patch'](url).set(auth).set('Content-Type', 'application/json').send(body);
        expect(res.status).toBe(body.length > 100 * 1024 ? 413 : 400);
        expect(res.headers['content-type']).toMatch(PROBLEM);
      }
    });

    it('says how deep a body may be', async () => {
      const res = await t.http
        .post(`/sessions/${sessionId}/registrations`)
        .set('Content-Type', 'application/json')
        .send(closedDeep(40))
        .expect(400);
      expect(res.body).toMatchObject({ type: problemType('validation'), detail: expect.stringMatching(/nested deeper than 32/) });
    });

    it('still takes nesting that real bodies use', async () => {
      await t.http
        .post('/admin/events')
        .set(auth)
        .send({ title: 'Nested', timezone: 'UTC', venue: { name: 'Hall', city: 'Oslo' }, tags: ['a', 'b'] })
        .expect(201);
    });
  });

  describe('impossible dates', () => {
    it.each(['2027-02-30T00:00:00Z', '2027-04-31T10:00:00+02:00', '2027-13-01T00:00:00Z', '2027-06-01T24:30:00Z', '2027-06-01T10:60:00Z'])(
      'from=%s is a 400 in queries',
      async (from) => {
        const res = await t.http.get('/sessions').query({ from }).expect(400);
        expect(res.body.errors).toEqual([{ field: 'from', message: expect.stringMatching(/ISO 8601/) }]);
        await t.http.get('/events').query({ to: from }).expect(400);
      },
    );

    it('is a 400 in bodies', async () => {
      const event = await f.event();
      const res = await t.http
        .post(`/admin/events/${event.id}/sessions`)
        .set(auth)
        .send({ startsAt: '2027-02-29T10:00:00Z', endsAt: '2027-02-29T12:00:00Z' })
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['startsAt', 'endsAt']);
      await t.http.patch(`/admin/sessions/${sessionId}`).set(auth).send({ registrationClosesAt: '2027-09-31T00:00:00Z' }).expect(400);
    });

    it('accepts real ones, leap days included', async () => {
      await t.http.get('/sessions').query({ from: '2028-02-29T23:59:59.999-08:00' }).expect(200);
    });
  });

  describe('a cancelled session', () => {
    it('refuses changes with 409 and shows no seats', async () => {
      const session = await f.publishedSession({ capacity: 2 });
      await t.http.post(`/admin/sessions/${session.id}/cancel`).set(auth).expect(200);
      const res = await t.http.patch(`/admin/sessions/${session.id}`).set(auth).send({ capacity: 5 }).expect(409);
      expect(res.body).toMatchObject({ type: problemType('conflict'), detail: expect.stringMatching(/cancelled/) });
      const pub = await t.http.get(`/sessions/${session.id}`).expect(200);
      expect(pub.body).toMatchObject({ capacity: 2, availability: { state: 'cancelled', seatsRemaining: 0 } });
    });

    it('of a cancelled event refuses changes too, and an unlimited one shows 0 seats', async () => {
      const session = await f.publishedSession({ capacity: null });
      await t.http.post(`/admin/events/${session.eventId}/cancel`).set(auth).expect(200);
      await t.http.patch(`/admin/sessions/${session.id}`).set(auth).send({ waitlistEnabled: true }).expect(409);
      const pub = await t.http.get(`/sessions/${session.id}`).expect(200);
      expect(pub.body.availability).toEqual({ state: 'cancelled', seatsRemaining: 0, waitlistLength: 0 });
    });
  });

  describe('a wrong method', () => {
    it('is a 405 with Allow listing the methods the path has', async () => {
      const res = await t.http.put(`/sessions/${sessionId}`).expect(405);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(res.headers['x-request-id']).toBeDefined();
      expect(res.body).toMatchObject({ type: problemType('method-not-allowed'), status: 405 });
      const withBody = await t.http.put(`/sessions/${sessionId}`).set('Content-Type', 'application/json').send('{"not json').expect(405);
      expect(withBody.headers.allow).toBe('GET, HEAD');

      const admin = await t.http.delete(`/admin/sessions/${sessionId}`).set(auth).expect(405);
      expect(admin.headers.allow).toBe('GET, HEAD, PATCH');
      const feed = await t.http.post('/calendars/categories/music.ics').expect(405);
      expect(feed.headers.allow).toBe('GET, HEAD');
    });

    it('is not said of a method the path takes: a parameter the router cannot route is a 400', async () => {
      for (const category of ['%E2%80%A8', 'a%0Ab', '%E2%80%A9x']) {
        const res = await t.http.get(`/calendars/categories/${category}.ics`).expect(400);
        expect(res.headers['content-type']).toMatch(PROBLEM);
        expect(res.headers.allow).toBeUndefined();
        expect(res.body).toMatchObject({ type: problemType('validation'), status: 400 });
      }
      await t.http.head('/calendars/categories/%E2%80%A8.ics').expect(400);
      expect((await t.http.post('/calendars/categories/%E2%80%A8.ics').expect(405)).headers.allow).toBe('GET, HEAD');
    });

    it('on a path that does not exist is still a 404', async () => {
      const res = await t.http.put('/no/such/path').expect(404);
      expect(res.headers.allow).toBeUndefined();
      expect(res.body.type).toBe(problemType('not-found'));
    });
  });

  describe('Idempotency-Key', () => {
    it.each(['a b', ' ', 'é', 'tab\there'])('%j (not visible ASCII) is a 400', async (key) => {
      const res = await f.register(sessionId, {}, { 'Idempotency-Key': key });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.stringMatching(/visible ASCII/) }]);
    });

    it('of visible characters is taken', async () => {
      const res = await f.register(sessionId, {}, { 'Idempotency-Key': '~!Key-01_{x}' });
      expect(res.status).toBe(201);
    });
  });

  describe('validation messages', () => {
    it('say once that a missing field is required', async () => {
      const res = await t.http.post(`/sessions/${sessionId}/registrations`).send({ name: 'Ada' }).expect(400);
      expect(res.body.errors).toEqual([{ field: 'email', message: 'email is required' }]);
      const login = await t.http.post('/auth/login').send({}).expect(400);
      expect(login.body.errors).toEqual([
        { field: 'email', message: 'email is required' },
        { field: 'password', message: 'password is required' },
      ]);
    });

    it.each(['[1,2]', '"text"', '42', 'null'])('say that the body %s must be a JSON object', async (raw) => {
      const res = await t.http.post(`/sessions/${sessionId}/registrations`).set('Content-Type', 'application/json').send(raw).expect(400);
      expect(res.body.detail).toBe('The request body must be a JSON object');
      expect(res.body.errors).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
    });
  });

  describe('framework answers', () => {
    it('415 names the accepted type', async () => {
      const res = await t.http.post(`/sessions/${sessionId}/registrations`).set('Content-Type', 'text/plain').send('hi').expect(415);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.detail).toMatch(/application\/json/);
    });

    it('a body-less POST that declares JSON is accepted on routes without a body', async () => {
      const session = await f.publishedSession({ capacity: 3 });
      const reg = await f.register(session.id);
      const checkin = await t.tokenFor('checkin');
      await t.http
        .post(`/admin/registrations/${reg.body.id}/check-in`)
        .set({ Authorization: `Bearer ${checkin}`, 'Content-Type': 'application/json' })
        .expect(200);
      const event = await f.event();
      await t.http.post(`/admin/events/${event.id}/publish`).set(auth).set('Content-Type', 'application/json').expect(200);
      await t.http.post(`/admin/sessions/${session.id}/cancel`).set(auth).set('Content-Type', 'application/json').expect(200);
      await t.http.post(`/admin/events/${event.id}/cancel`).set(auth).set('Content-Type', 'application/json').expect(200);
    });

    it('a body-less POST to a route that takes a body is told the body must be an object', async () => {
      const res = await t.http.post(`/sessions/${sessionId}/registrations`).set('Content-Type', 'application/json').expect(400);
      expect(res.body.detail).toBe('The request body must be a JSON object');
    });

    it('414 has its own type and does not echo the path', async () => {
      const long = `/sessions/${'a'.repeat(3000)}`;
      const res = await t.http.get(long).expect(414);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.type).toBe(problemType('uri-too-long'));
      expect(JSON.stringify(res.body)).not.toContain('aaaaaaaaaa');
    });

    it('a path that is not valid percent-encoding does not echo it either', async () => {
      const res = await t.http.get('/sessions/%E0%A4%A').expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.detail).not.toContain('%E0');
    });

    it('401 carries WWW-Authenticate: Bearer', async () => {
      const missing = await t.http.get('/admin/events').expect(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      const invalid = await t.http.get('/admin/events').set('Authorization', 'Bearer nope').expect(401);
      expect(invalid.headers['www-authenticate']).toBe('Bearer');
      const login = await t.http.post('/auth/login').send({ email: 'nobody@example.com', password: 'wrong' }).expect(401);
      expect(login.headers['www-authenticate']).toBe('Bearer');
    });
  });

  describe('category feeds', () => {
    it.each(['%00', 'a%00b', '%01', '%7F', 'x'.repeat(65), '%20', '%E2%80%8B', 'no-such-category'])(
      '/calendars/categories/%s.ics is an empty calendar',
      async (name) => {
        const res = await t.http.get(`/calendars/categories/${name}.ics`).expect(200);
        expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
        expect(res.text).toMatch(/^BEGIN:VCALENDAR\r\n/);
        expect(res.text).not.toContain('BEGIN:VEVENT');
        // eslint-disable-next-line no-control-regex -- control characters are what must not leak into the feed
        expect(res.text).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
      },
    );
  });
});
