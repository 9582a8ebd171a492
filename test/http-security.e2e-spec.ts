import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import type { Response } from 'supertest';
import { SECURITY_HEADERS } from '../src/common/http-security';
import { RegistrationsService } from '../src/registrations/registrations.service';
import { factories, Factories } from './factories';
import { createTestApp, TestApp } from './support/test-app';

const STAFF_ORIGIN = 'https://admin.example.com';
const OTHER_ORIGIN = 'https://news.example';

let t: TestApp;
let f: Factories;
const logLines: string[] = [];

beforeAll(async () => {
  t = await createTestApp(
    { logLevel: 'info', corsOrigins: [STAFF_ORIGIN] },
    { logStream: { write: (line: string) => void logLines.push(line) } },
  );
  f = await factories(t);
});

afterAll(() => t?.close());

async function registered(sessionId: string, headers: Record<string, string> = {}): Promise<Response> {
  const res = await f.register(sessionId, {}, headers);
  expect(res.status).toBe(201);
  return res;
}

/** Log lines written from now until `work` is done. */
async function logsDuring(work: () => Promise<unknown>): Promise<string> {
  const from = logLines.length;
  await work();
  await new Promise((resolve) => setTimeout(resolve, 50));
  return logLines.slice(from).join('');
}

describe('logs', () => {
  it('say each request once, when answered: request id, method, URL, status and time', async () => {
    const logs = await logsDuring(() => t.http.get('/events?limit=2').set('X-Request-Id', 'one-line-per-request').expect(200));
    const lines = logs
      .split('\n')
      .filter((line) => line.includes('"reqId":"one-line-per-request"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        req: expect.objectContaining({ method: 'GET', url: '/events?limit=2' }),
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
    ]);
  });

  it('never hold a manage token: reading, the feed, unknown sub-paths and cancelling are logged with it redacted', async () => {
    const session = await f.publishedSession({ capacity: 5 });
    const { manageToken } = (await registered(session.id)).body as { manageToken: string };
    const logs = await logsDuring(async () => {
      await t.http.get(`/registrations/${manageToken}`).expect(200);
      await t.http.get(`/registrations/${manageToken}/calendar.ics`).expect(200);
      await t.http.get(`/registrations/${manageToken}/nothing-here?x=1`).expect(404);
      await t.http.delete(`/registrations/${manageToken}`).expect(200);
    });
    expect(logs).toContain('"url":"/registrations/[redacted]"');
    expect(logs).toContain('"url":"/registrations/[redacted]/calendar.ics"');
    expect(logs).toContain('"method":"DELETE"');
    expect(logs).not.toContain(manageToken);
    expect(logs).not.toContain(manageToken.slice(0, 12));
  });

  it('never hold a manage token in a 500, whatever the error says', async () => {
    const session = await f.publishedSession({ capacity: 5 });
    const { manageToken } = (await registered(session.id)).body as { manageToken: string };
    const spy = jest.spyOn(t.app.get(RegistrationsService), 'getByToken').mockImplementation((token: string) => {
      throw new Error(`driver failed on GET /registrations/${token} with ?token=${token}`);
    });
    try {
      const logs = await logsDuring(() => t.http.get(`/registrations/${manageToken}`).expect(500));
      expect(logs).toContain('driver failed');
      expect(logs).not.toContain(manageToken);
    } finally {
      spy.mockRestore();
    }
  });

  it('never hold a password or a bearer token', async () => {
    const bearer = await t.tokenFor('admin');
    const password = 'correct-horse-battery-staple';
    const logs = await logsDuring(async () => {
      await t.http
        .post('/admin/users')
        .set('Authorization', `Bearer ${bearer}`)
        .send({ email: 'new@staff.test', password, role: 'editor' })
        .expect(201);
      await t.http.post('/auth/login').send({ email: 'new@staff.test', password }).expect(200);
      await t.http
        .post('/auth/login')
        .send({ email: 'new@staff.test', password: `${password}-wrong` })
        .expect(401);
      // Malformed JSON: parser messages quote the body; none of it may reach the logs.
      await t.http
        .post('/auth/login')
        .set('Content-Type', 'application/json')
        .send(`{"email":"new@staff.test","password":"${password}" oops}`);
      await t.http.get('/admin/users').set('Authorization', `Bearer ${bearer}`).expect(200);
      await t.http.get('/admin/users').set('Authorization', `Bearer ${bearer}x`).expect(401);
    });
    expect(logs).toContain('"url":"/auth/login"');
    expect(logs).not.toContain(password);
    expect(logs).not.toContain('correct-horse');
    expect(logs).not.toContain(bearer);
  });
});

describe('headers', () => {
  it('every security header on every answer: 404, 405, errors, feeds, 304s, preflights, unparsable URLs', async () => {
    const session = await f.publishedSession();
    const feed = await t.http.get(`/sessions/${session.id}/calendar.ics`).expect(200);
    const answers = [
      feed,
      await t.http.get(`/sessions/${session.id}/calendar.ics`).set('If-None-Match', feed.headers.etag).expect(304),
      await t.http.get('/nowhere').expect(404),
      await t.http.get('/sessions/00000000-0000-4000-8000-000000000000').expect(404),
      await t.http.put('/events').expect(405),
      await t.http.post(`/sessions/${session.id}/registrations`).send({ name: '' }).expect(400),
      await t.http.get('/events/%E0%A4%A').expect(400),
      await t.http.options('/events').set('Origin', OTHER_ORIGIN).set('Access-Control-Request-Method', 'GET').expect(204),
      await t.http.get('/health/live').expect(200),
    ];
    for (const res of answers) {
      const sent = Object.fromEntries(Object.keys(SECURITY_HEADERS).map((name) => [name, res.headers[name]]));
      expect({ status: res.status, sent }).toEqual({ status: res.status, sent: SECURITY_HEADERS });
    }
  });

  it('Cache-Control: no-store and Referrer-Policy: no-referrer on every answer that carries a token', async () => {
    const session = await f.publishedSession({ capacity: 5 });
    const registration = await registered(session.id);
    const token = registration.body.manageToken as string;
    await t.tokenFor('checkin');
    const email = `login-${Date.now()}@staff.test`;
    await t.http
      .post('/admin/users')
      .set('Authorization', `Bearer ${await t.tokenFor('admin')}`)
      .send({ email, password: 'a-long-enough-password', role: 'checkin' })
      .expect(201);
    const answers = [
      await t.http.post('/auth/login').send({ email, password: 'a-long-enough-password' }).expect(200),
      registration,
      await t.http.get(`/registrations/${token}`).expect(200),
      await t.http.delete(`/registrations/${token}`).expect(200),
    ];
    for (const res of answers) {
      expect({ url: res.request.url, cache: res.headers['cache-control'], referrer: res.headers['referrer-policy'] }).toEqual({
        url: res.request.url,
        cache: 'no-store',
        referrer: 'no-referrer',
      });
    }
    // The registration's feed is addressed by the token but holds none: private, so calendar programs can revalidate.
    const feed = await t.http.get(`/registrations/${token}/calendar.ics`).expect(200);
    expect(feed.headers['cache-control']).toMatch(/^private\b/);
    expect(feed.headers['referrer-policy']).toBe('no-referrer');
  });

  it('/docs has a Content-Security-Policy that lets Swagger UI run: no inline script, inline styles by hash, assets from self', async () => {
    const page = await t.http.get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = page.text;
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const styles = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => m[1]);
    expect(styles.length).toBeGreaterThan(0);
    for (const style of styles) expect(csp).toContain(hash(style));
    for (const [, attribute] of html.matchAll(/\sstyle="([^"]*)"/gi)) expect(csp).toContain(hash(attribute));
    const assets = [...html.matchAll(/(?:src|href)=["']([^"']+)["']/gi)].map((m) => new URL(m[1], 'http://x/docs').pathname);
    expect(assets).toEqual(expect.arrayContaining(['/docs/swagger-ui-bundle.js', '/docs/swagger-ui-init.js', '/docs/swagger-ui.css']));
    for (const asset of assets) {
      const res = await t.http.get(asset);
      expect({ asset, status: res.status, nosniff: res.headers['x-content-type-options'] }).toEqual({
        asset,
        status: 200,
        nosniff: 'nosniff',
      });
    }
  });

  // Where a Chromium is installed, Swagger UI must render every operation with no CSP report.
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) => existsSync(path));
  (chromium ? it : it.skip)(
    '/docs renders in a browser under its policy, with nothing blocked',
    async () => {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.getHttpServer().address() as { port: number };
      const args = ['--headless', '--no-sandbox', '--disable-gpu', '--enable-logging=stderr', '--v=0', '--virtual-time-budget=10000'];
      const { dom, log } = await new Promise<{ dom: string; log: string }>((resolve, reject) =>
        execFile(chromium!, [...args, '--dump-dom', `http://127.0.0.1:${port}/docs`], { timeout: 90_000 }, (error, stdout, stderr) =>
          error ? reject(error instanceof Error ? error : new Error('chromium failed')) : resolve({ dom: stdout, log: stderr }),
        ),
      );
      expect(log).not.toMatch(/Content Security Policy/i);
      expect(dom.match(/class="opblock-summary-path"/g)?.length ?? 0).toBeGreaterThan(20);
    },
    120_000,
  );

  it('every other answer carries the strict policy, which forbids framing, except the embeddable box', async () => {
    const res = await t.http.get('/events').expect(200);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    // The embeddable box is made for other sites' iframes.
    const embed = await t.http.get('/embed/upcoming');
    expect(embed.headers['x-frame-options']).toBeUndefined();
    expect(embed.headers['content-security-policy']).toContain('frame-ancestors *');
    expect(embed.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('CORS', () => {
  it('public routes answer any origin, without credentials, and expose the useful headers', async () => {
    const session = await f.publishedSession();
    for (const path of ['/events', `/sessions/${session.id}`, `/sessions/${session.id}/calendar.ics`, '/calendars/all.ics']) {
      const res = await t.http.get(path).set('Origin', OTHER_ORIGIN).expect(200);
      expect({ path, origin: res.headers['access-control-allow-origin'] }).toEqual({ path, origin: '*' });
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      const exposed = res.headers['access-control-expose-headers'].split(/,\s*/);
      expect(exposed).toEqual(expect.arrayContaining(['ETag', 'Retry-After', 'X-Request-Id', 'Idempotent-Replayed', 'Location']));
    }
    const registration = await registered(session.id, { Origin: OTHER_ORIGIN });
    expect(registration.headers['access-control-allow-origin']).toBe('*');
  });

  it('a preflight for registering answers 204 with the methods and headers allowed', async () => {
    const session = await f.publishedSession();
    const res = await t.http
      .options(`/sessions/${session.id}/registrations`)
      .set('Origin', OTHER_ORIGIN)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,idempotency-key')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toMatch(/\bPOST\b/);
    const allowed = res.headers['access-control-allow-headers'].toLowerCase();
    expect(allowed).toContain('content-type');
    expect(allowed).toContain('idempotency-key');
    expect(allowed).not.toContain('authorization');
    const manage = await t.http
      .options('/registrations/some-token')
      .set('Origin', OTHER_ORIGIN)
      .set('Access-Control-Request-Method', 'DELETE')
      .expect(204);
    expect(manage.headers['access-control-allow-methods']).toMatch(/\bDELETE\b/);
  });

  it('staff routes answer only the origins in CORS_ORIGINS', async () => {
    const preflight = (origin: string) =>
      t.http
        .options('/admin/events')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
    const stranger = await preflight(OTHER_ORIGIN);
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
    const listed = await preflight(STAFF_ORIGIN).expect(204);
    expect(listed.headers['access-control-allow-origin']).toBe(STAFF_ORIGIN);
    expect(listed.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(listed.headers.vary).toMatch(/Origin/);

    const token = await t.tokenFor('editor');
    const fromStranger = await t.http.get('/admin/events').set('Origin', OTHER_ORIGIN).set('Authorization', `Bearer ${token}`).expect(200);
    expect(fromStranger.headers['access-control-allow-origin']).toBeUndefined();
    const fromListed = await t.http.get('/admin/events').set('Origin', STAFF_ORIGIN).set('Authorization', `Bearer ${token}`).expect(200);
    expect(fromListed.headers['access-control-allow-origin']).toBe(STAFF_ORIGIN);
    const login = await t.http.options('/auth/login').set('Origin', OTHER_ORIGIN).set('Access-Control-Request-Method', 'POST');
    expect(login.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('slow bodies', () => {
  it('a body dribbled past the request timeout is cut off, and nothing is registered', async () => {
    const slow = await createTestApp({}, { requestTimeoutMs: 1000 });
    try {
      const session = await factories(slow).then((sf) => sf.publishedSession({ capacity: 5 }));
      await slow.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = slow.app.getHttpServer().address() as { port: number };
      const body = JSON.stringify({ name: 'Slow Loris', email: 'slow@example.com' });
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
      socket.on('error', () => undefined);
      const started = Date.now();
      socket.write(
        `POST /sessions/${session.id}/registrations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
      );
      // One byte every 100 ms: the body would take 4 s, and the socket is never idle.
      let sent = 0;
      const drip = setInterval(() => {
        if (sent < body.length && !socket.destroyed) socket.write(body[sent++]);
      }, 100);
      const closedAt = await closed;
      clearInterval(drip);
      expect(sent).toBeLessThan(body.length);
      expect(closedAt - started).toBeLessThan(2500);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/i);
      expect(answer).toContain('/problems/request-timeout');
      const [{ count }] = await slow.db.query(`SELECT count(*)::int AS count FROM registrations WHERE session_id = $1`, [session.id]);
      expect(count).toBe(0);
    } finally {
      await slow.close();
    }
  });
});
