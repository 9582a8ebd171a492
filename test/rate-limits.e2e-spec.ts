import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApp } from '../src/app.factory';
import { hashPassword } from '../src/auth/passwords';
import { loadConfig } from '../src/config/env.schema';
import { factories } from './factories';
import { BASE_URL, createTestApp, TestApp } from './support/test-app';

/**
 * Per-client limits with RATE_LIMIT on: who can be locked out by whom, concurrent attempts,
 * several instances on one database, addresses behind a trusted proxy (an outage: rate-limits-outage).
 * Client addresses are simulated with X-Forwarded-For through TRUST_PROXY=loopback.
 */
const PASSWORD = 'the-right-password';
const problemType = (slug: string): string => `${BASE_URL}/problems/${slug}`;
let users = 0;

async function staffUser(t: TestApp): Promise<string> {
  const email = `staff-${++users}-${Date.now()}@staff.test`;
  await t.db.query(`INSERT INTO staff_users (email, password_hash, role) VALUES ($1, $2, 'editor')`, [email, await hashPassword(PASSWORD)]);
  return email;
}

function login(t: TestApp, email: string, password: string, address?: string) {
  const req = t.http.post('/auth/login');
  if (address) req.set('X-Forwarded-For', address);
  return req.send({ email, password });
}

/** Every case variant of an address, to show the account key ignores letter case. */
const shout = (email: string, i: number): string => (i % 2 ? email.toUpperCase() : email);

describe('failed logins behind a trusted proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ rateLimit: true, trustProxy: ['loopback'] });
  });
  afterAll(() => t?.close());

  it('ten wrong passwords from one address lock that address out of the account, not its owner elsewhere', async () => {
    const email = await staffUser(t);
    for (let i = 0; i < 10; i++) expect((await login(t, shout(email, i), 'wrong-password', '198.51.100.1')).status).toBe(401);

    const blocked = await login(t, email, PASSWORD, '198.51.100.1');
    expect(blocked.status).toBe(429);
    expect(blocked.body.type).toBe(problemType('rate-limited'));
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
    // The owner, from an address that did not fail, logs in.
    expect((await login(t, email.toUpperCase(), PASSWORD, '198.51.100.2')).status).toBe(200);
  });

  it('correct passwords do not count: nine failures, three successes, then the tenth failure locks', async () => {
    const email = await staffUser(t);
    for (let i = 0; i < 9; i++) expect((await login(t, email, 'wrong-password', '198.51.100.3')).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await login(t, email, PASSWORD, '198.51.100.3')).status).toBe(200);
    expect((await login(t, email, 'wrong-password', '198.51.100.3')).status).toBe(401);
    expect((await login(t, email, PASSWORD, '198.51.100.3')).status).toBe(429);
  });

  it('logins that fail on our side do not count: ten 500s, then nine wrong passwords, and the right one gets in', async () => {
    const email = await staffUser(t);
    // The token insert fails for every login: our error, not the caller's.
    await t.db.query(`ALTER TABLE staff_tokens ADD CONSTRAINT refuse_every_token CHECK (false) NOT VALID`);
    try {
      for (let i = 0; i < 10; i++) expect((await login(t, email, PASSWORD, '198.51.100.6')).status).toBe(500);
    } finally {
      await t.db.query(`ALTER TABLE staff_tokens DROP CONSTRAINT refuse_every_token`);
    }
    for (let i = 0; i < 9; i++) expect((await login(t, email, 'wrong-password', '198.51.100.6')).status).toBe(401);
    expect((await login(t, email, PASSWORD, '198.51.100.6')).status).toBe(200);
  });

  it('one address failing over many accounts is limited at 50, other addresses are not', async () => {
    const email = await staffUser(t);
    const statuses: number[] = [];
    for (let i = 0; i < 51; i++) statuses.push((await login(t, `nobody-${i}@staff.test`, 'wrong-password', '198.51.100.4')).status);
    expect(statuses.slice(0, 50)).toEqual(Array(50).fill(401));
    expect(statuses[50]).toBe(429);
    expect((await login(t, email, PASSWORD, '198.51.100.4')).status).toBe(429);
    expect((await login(t, email, PASSWORD, '198.51.100.5')).status).toBe(200);
  });

  it('40 simultaneous wrong passwords for one account from one address: 10 are tried, 30 are 429', async () => {
    const email = await staffUser(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const url = await t.app.getUrl();
    // A barrier in front of the app: the 40 requests are held until all have arrived, then
    // handed to the app together, so all 40 are in the app at once however slow the machine.
    const server = t.app.getHttpServer();
    const [app] = server.listeners('request') as RequestListener[];
    const held: [IncomingMessage, ServerResponse][] = [];
    let dispatched = 0;
    let firstAnswered = Infinity;
    let lastDispatched = 0;
    const barrier: RequestListener = (req, res) => {
      if (req.url !== '/auth/login') return app.call(server, req, res);
      held.push([req, res]);
      if (held.length < 40) return;
      for (const [heldReq, heldRes] of held) {
        heldRes.once('finish', () => (firstAnswered = Math.min(firstAnswered, performance.now())));
        app.call(server, heldReq, heldRes);
        dispatched++;
        lastDispatched = performance.now();
      }
    };
    server.off('request', app).on('request', barrier);
    try {
      const responses = await Promise.all(
        Array.from({ length: 40 }, () =>
          fetch(`${url}/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.6' },
            body: JSON.stringify({ email, password: 'wrong-password' }),
          }),
        ),
      );
      expect(dispatched).toBe(40);
      expect(lastDispatched).toBeLessThan(firstAnswered);
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([...Array(10).fill(401), ...Array(30).fill(429)]);
    } finally {
      server.off('request', barrier).on('request', app);
    }
  });
});

describe('TRUST_PROXY', () => {
  /** Registers 20 times with these headers (the limit), then checks the 21st is refused. */
  async function exhaust(t: TestApp, headers: Record<string, string>) {
    const f = await factories(t);
    const session = await f.publishedSession();
    for (let i = 0; i < 20; i++) expect((await f.register(session.id, {}, headers)).status).toBe(201);
    expect((await f.register(session.id, {}, headers)).status).toBe(429);
    return (more: Record<string, string>) => f.register(session.id, {}, more).then((res) => res.status);
  }

  it('unset: X-Forwarded-For is ignored, every request is the socket address', async () => {
    const t = await createTestApp({ rateLimit: true });
    try {
      const registerFrom = await exhaust(t, { 'X-Forwarded-For': '203.0.113.1' });
      expect(await registerFrom({ 'X-Forwarded-For': '203.0.113.2' })).toBe(429);
    } finally {
      await t.close();
    }
  });

  it('addresses: the first untrusted address from the right is the client; prepending one changes nothing', async () => {
    const t = await createTestApp({ rateLimit: true, trustProxy: ['loopback', '10.0.0.0/8'] });
    try {
      const registerFrom = await exhaust(t, { 'X-Forwarded-For': '203.0.113.1, 10.1.2.3' });
      expect(await registerFrom({ 'X-Forwarded-For': '192.0.2.99, 203.0.113.1' })).toBe(429);
      expect(await registerFrom({ 'X-Forwarded-For': '203.0.113.2' })).toBe(201);
    } finally {
      await t.close();
    }
  });

  it('IPv6: one /64 is one client, the next /64 another', async () => {
    const t = await createTestApp({ rateLimit: true, trustProxy: ['loopback'] });
    try {
      const registerFrom = await exhaust(t, { 'X-Forwarded-For': '2001:db8:1:2::1' });
      expect(await registerFrom({ 'X-Forwarded-For': '2001:db8:1:2:abcd:ef01:2345:6789' })).toBe(429);
      expect(await registerFrom({ 'X-Forwarded-For': '2001:db8:1:3::1' })).toBe(201);
      expect(await registerFrom({ 'X-Forwarded-For': '203.0.113.9' })).toBe(201);
    } finally {
      await t.close();
    }
  });

  it('a hop count: the address that many hops back is the client', async () => {
    const t = await createTestApp({ rateLimit: true, trustProxy: 1 });
    try {
      const registerFrom = await exhaust(t, { 'X-Forwarded-For': '192.0.2.1, 203.0.113.1' });
      expect(await registerFrom({ 'X-Forwarded-For': '203.0.113.1' })).toBe(429);
      expect(await registerFrom({ 'X-Forwarded-For': '203.0.113.1, 203.0.113.2' })).toBe(201);
    } finally {
      await t.close();
    }
  });
});

describe('two instances on one database', () => {
  let t: TestApp;
  let second: NestFastifyApplication;
  beforeAll(async () => {
    t = await createTestApp({ rateLimit: true, trustProxy: ['loopback'] });
    const config = {
      ...loadConfig({ PUBLIC_BASE_URL: BASE_URL, LOG_LEVEL: 'silent' }),
      trustProxy: ['loopback'],
      databaseUrl: t.databaseUrl,
    };
    second = await createApp(config);
    await second.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  it('share the registration limit: 10 on each, then 429 on both', async () => {
    const f = await factories(t);
    const session = await f.publishedSession();
    const other = request(second.getHttpServer());
    const registerOn = (i: number) =>
      (i % 2 ? other.post(`/sessions/${session.id}/registrations`) : t.http.post(`/sessions/${session.id}/registrations`))
        .set('X-Forwarded-For', '203.0.113.50')
        .send({ name: `Shared ${i}`, email: `shared${i}@example.com` });
    for (let i = 0; i < 20; i++) expect((await registerOn(i)).status).toBe(201);
    expect((await registerOn(20)).status).toBe(429);
    expect((await registerOn(21)).status).toBe(429);
  });

  it('share the failed-login limit: 5 on each, then 429 on both', async () => {
    const email = await staffUser(t);
    const loginOn = (i: number, password: string) =>
      (i % 2 ? request(second.getHttpServer()).post('/auth/login') : t.http.post('/auth/login'))
        .set('X-Forwarded-For', '203.0.113.51')
        .send({ email, password });
    for (let i = 0; i < 10; i++) expect((await loginOn(i, 'wrong-password')).status).toBe(401);
    expect((await loginOn(0, PASSWORD)).status).toBe(429);
    expect((await loginOn(1, PASSWORD)).status).toBe(429);
  });
});

describe('RATE_LIMIT=off', () => {
  it('lets any number of failed logins through', async () => {
    const t = await createTestApp({ rateLimit: false });
    try {
      const email = await staffUser(t);
      for (let i = 0; i < 12; i++) expect((await login(t, email, 'wrong-password')).status).toBe(401);
      expect((await login(t, email, PASSWORD)).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
