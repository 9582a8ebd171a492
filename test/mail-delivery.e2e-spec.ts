import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/env.schema';
import { DEFAULT_PACE } from '../src/mail-delivery/delivery-pace';
import { factories, Factories, inDays } from './factories';
import { freePort, SmtpSink } from './support/smtp-sink';
import { BASE_URL, createTestApp, TestApp } from './support/test-app';
import { dropTestDatabase } from './support/test-database';

/**
 * Delivery against a real SMTP server on loopback: outages, restarts, several instances, a large
 * fan-out; then the .eml fallback and the resend limits.
 */
const FAST = { pollIntervalMs: 50, backoffBaseMs: 100 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface OutboxRow {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

describe('over SMTP', () => {
  let port: number;
  let sink: SmtpSink | undefined;
  let t: TestApp;
  let f: Factories;
  let auth: { Authorization: string };

  beforeAll(async () => {
    port = await freePort();
    t = await createTestApp({ smtpUrl: `smtp://127.0.0.1:${port}`, mail: FAST });
    f = await factories(t);
    auth = { Authorization: `Bearer ${f.editorToken}` };
  });

  afterAll(async () => {
    await t?.close();
    await sink?.stop();
  });

  /** The server is down for the first test only; each later one (also run alone) finds it up. */
  async function serverUp(): Promise<SmtpSink> {
    sink ??= await SmtpSink.start({ port });
    return sink;
  }

  const outboxOf = async (registrationId: string): Promise<OutboxRow[]> =>
    t.db.query(`SELECT id, status, attempts, last_error FROM mail_outbox WHERE registration_id = $1 ORDER BY created_at`, [registrationId]);

  it('the mail server down when a registration commits, back later: the message is retried and delivered exactly once', async () => {
    const session = await f.publishedSession();
    const res = await f.register(session.id, { email: 'patient@example.com' });
    expect(res.status).toBe(201);
    const failing = await until('two failed attempts', async () => {
      const [row] = await outboxOf(res.body.id);
      return row && row.attempts >= 2 ? row : undefined;
    });
    expect(failing.status).toBe('pending');
    expect(failing.last_error).toMatch(/ECONNREFUSED|connect/i);

    const [mail] = await (await serverUp()).waitFor('patient@example.com', 1);
    const [sent] = await until('sent', async () => {
      const rows = await outboxOf(res.body.id);
      return rows[0]?.status === 'sent' ? rows : undefined;
    });
    expect(mail.parsed.messageId).toBe(`<${sent.id}@eventline.test>`);
    await sleep(500);
    expect((await serverUp()).to('patient@example.com')).toHaveLength(1);
  });

  it('a message claimed by an instance that died is sent once its lease ends', async () => {
    const session = await f.publishedSession();
    const res = await f.register(session.id, { email: 'orphan@example.com' });
    expect(res.status).toBe(201);
    await (await serverUp()).waitFor('orphan@example.com', 1);
    // What a crash mid-send leaves: attempted once, invisible until the lease ends.
    const [{ id }] = await t.db.query(
      `INSERT INTO mail_outbox (registration_id, kind, attempts, next_attempt_at) VALUES ($1, 'manage-link', 1, now() + interval '1 second') RETURNING id`,
      [res.body.id],
    );
    const mail = await until('the orphan', async () =>
      sink?.to('orphan@example.com').find((m) => m.parsed.messageId === `<${id}@eventline.test>`),
    );
    expect(mail.parsed.subject).toMatch(/^Your link for /);
    // The sink has the message a moment before the worker hears the server's answer and records it.
    const row = await until('the orphan marked sent', async () =>
      (await outboxOf(res.body.id)).find((r) => r.id === id && r.status === 'sent'),
    );
    expect(row.attempts).toBe(2);
  });

  it('a message whose registration was deleted by hand fails at once, logged with its request, and holds up nothing', async () => {
    const server = await serverUp();
    const logged = jest.spyOn(Logger.prototype, 'error');
    try {
      // The outbox has no foreign key: a registration deleted with SQL leaves its messages behind.
      const session = await f.publishedSession();
      const gone = await f.register(session.id, { email: 'deleted@example.com' });
      // Deleted once its confirmation is out, so no slice holds it in hand.
      await server.waitFor('deleted@example.com', 1);
      const [orphan]: { id: string }[] = await t.db.query(
        `WITH gone AS (DELETE FROM registrations WHERE id = $1)
         INSERT INTO mail_outbox (registration_id, kind, request_id, next_attempt_at)
         VALUES ($1, 'manage-link', 'req-deleted', now() - interval '1 minute') RETURNING id`,
        [gone.body.id],
      );
      const kept = await f.register(session.id, { email: 'kept@example.com' });
      await server.waitFor('kept@example.com', 1);
      const row = await until('the orphan failed', async () =>
        (await outboxOf(gone.body.id)).find((r) => r.id === orphan.id && r.status === 'failed'),
      );
      expect(row).toMatchObject({ attempts: 1, last_error: 'the registration no longer exists' });
      expect(logged).toHaveBeenCalledWith(
        expect.stringMatching(new RegExp(`^Mail ${orphan.id} .*caused by request req-deleted failed: the registration no longer exists$`)),
      );
      await sleep(300);
      expect((await outboxOf(gone.body.id)).find((r) => r.id === orphan.id)).toMatchObject({ status: 'failed', attempts: 1 });
      expect(server.to('deleted@example.com').filter((m) => m.parsed.messageId === `<${orphan.id}@eventline.test>`)).toEqual([]);
      expect((await outboxOf(kept.body.id)).map((r) => r.status)).toEqual(['sent']);
    } finally {
      logged.mockRestore();
    }
  });

  /** A session with `count` confirmed registrations, inserted with SQL for speed. */
  async function crowdedSession(count: number, prefix: string): Promise<string> {
    const session = await f.publishedSession({ capacity: null });
    await t.db.query(
      `INSERT INTO registrations (session_id, name, email, status, manage_token_hash)
       SELECT $1, 'Person ' || n, $2 || n || '@example.com', 'confirmed', sha256(gen_random_uuid()::text::bytea)
         FROM generate_series(1, $3) AS n`,
      [session.id, prefix, count],
    );
    await t.db.query(`UPDATE sessions SET confirmed_count = $2 WHERE id = $1`, [session.id, count]);
    return session.id;
  }

  function received(prefix: string): string[] {
    return (sink?.received ?? []).filter((m) => m.to.startsWith(prefix)).map((m) => m.parsed.messageId ?? '');
  }

  /** `count` messages to new registrations whose emails start with `prefix`, due `dueIn` from now (negative: overdue). */
  async function backlog(count: number, prefix: string, dueIn: string): Promise<void> {
    const session = await f.publishedSession({ capacity: null });
    await t.db.query(
      `WITH r AS (
         INSERT INTO registrations (session_id, name, email, status, manage_token_hash)
         SELECT $1, 'Person ' || n, $2 || n || '@example.com', 'confirmed', sha256(gen_random_uuid()::text::bytea)
           FROM generate_series(1, $3) AS n RETURNING id)
       INSERT INTO mail_outbox (registration_id, kind, next_attempt_at) SELECT id, 'manage-link', now() + $4::interval FROM r`,
      [session.id, prefix, count, dueIn],
    );
  }

  /** How many of these messages each recording statement marked sent: one entry per slice. */
  async function sentSlices(prefix: string): Promise<number[]> {
    const rows: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM mail_outbox o JOIN registrations r ON r.id = o.registration_id
        WHERE r.email LIKE $1 || '%' AND o.status = 'sent' GROUP BY o.sent_at`,
      [prefix],
    );
    return rows.map((r) => r.n);
  }

  /** Waits until `count` messages to `prefix` arrived and all are recorded sent; gives the slices they were sent in. */
  async function deliveredSlices(count: number, prefix: string): Promise<number[]> {
    await until(`${count} ${prefix} messages`, async () => (received(prefix).length >= count ? true : undefined), 60_000);
    return until('all recorded', async () => {
      const counts = await sentSlices(prefix);
      return counts.reduce((a, b) => a + b, 0) === count ? counts : undefined;
    });
  }

  /** Keeps this process's event loop about three quarters busy, as a rush of requests would. */
  function busyLoop(): () => void {
    const timer = setInterval(() => {
      const until = Date.now() + 15;
      while (Date.now() < until);
    }, 20);
    return () => clearInterval(timer);
  }

  it('gives way to a busy event loop, a few messages a slice, and still drains the outbox', async () => {
    await serverUp();
    const stop = busyLoop();
    try {
      // Due a moment from now: by then the worker has measured the loop busy in its polls.
      await backlog(30, 'rush', '1.5 seconds');
      const slices = await deliveredSlices(30, 'rush');
      expect(Math.max(...slices)).toBeLessThanOrEqual(DEFAULT_PACE.busySlice);
    } finally {
      stop();
    }
    // The same backlog on a quiet loop goes in larger slices.
    await backlog(30, 'calm', '0 seconds');
    const calm = await deliveredSlices(30, 'calm');
    expect(Math.max(...calm)).toBeGreaterThan(DEFAULT_PACE.busySlice);
  }, 90_000);

  it('stops giving way once messages have waited a minute, busy loop or not', async () => {
    await serverUp();
    const stop = busyLoop();
    try {
      await backlog(30, 'late', '-2 minutes');
      const slices = await deliveredSlices(30, 'late');
      expect(Math.max(...slices)).toBeGreaterThan(DEFAULT_PACE.busySlice);
    } finally {
      stop();
    }
  }, 90_000);

  it('MAIL_DELIVERY=off: the instance writes the outbox and leaves sending to another', async () => {
    await serverUp();
    const writer = await createTestApp({ smtpUrl: `smtp://127.0.0.1:${port}`, mail: FAST, mailDelivery: false });
    try {
      const g = await factories(writer);
      const session = await g.publishedSession();
      const res = await g.register(session.id, { email: 'queued@example.com' });
      expect(res.status).toBe(201);
      // Many of its polls later, the message still waits, untouched.
      await sleep(1000);
      const [row] = await writer.db.query(`SELECT status, attempts FROM mail_outbox WHERE registration_id = $1`, [res.body.id]);
      expect(row).toEqual({ status: 'pending', attempts: 0 });
      expect(sink?.to('queued@example.com')).toHaveLength(0);
      const sender = await createApp({
        ...loadConfig({ PUBLIC_BASE_URL: BASE_URL, LOG_LEVEL: 'silent', RATE_LIMIT: 'off', MAIL_DELIVERY: 'on' }),
        dataDir: join(tmpdir(), 'eventline-test-data'),
        databaseUrl: writer.databaseUrl,
        smtpUrl: `smtp://127.0.0.1:${port}`,
        mail: FAST,
      });
      try {
        await sender.getHttpAdapter().getInstance().ready();
        const [mail] = await (await serverUp()).waitFor('queued@example.com', 1);
        expect(mail.parsed.subject).toMatch(/^You're registered: /);
      } finally {
        await sender.close();
      }
    } finally {
      await writer.close();
    }
  }, 60_000);

  it('two instances drain one outbox together, without a duplicate', async () => {
    await serverUp();
    const second: NestFastifyApplication = await createApp({
      ...loadConfig({ PUBLIC_BASE_URL: BASE_URL, LOG_LEVEL: 'silent', RATE_LIMIT: 'off' }),
      dataDir: join(tmpdir(), 'eventline-test-data'),
      databaseUrl: t.databaseUrl,
      smtpUrl: `smtp://127.0.0.1:${port}`,
      // Tells the two apart at the server.
      mailFrom: 'Second <second@eventline.test>',
      mail: FAST,
    });
    try {
      await second.getHttpAdapter().getInstance().ready();
      const sessionId = await crowdedSession(300, 'pair');
      await t.http
        .patch(`/admin/sessions/${sessionId}`)
        .set(auth)
        .send({ startsAt: inDays(20), endsAt: inDays(20, 2) })
        .expect(200);
      await until('300 messages', async () => (received('pair').length >= 300 ? true : undefined), 60_000);
      await sleep(500);
      const ids = received('pair');
      expect(ids).toHaveLength(300);
      expect(new Set(ids).size).toBe(300);
      const bySecond = (sink?.received ?? []).filter(
        (m) => m.to.startsWith('pair') && m.parsed.from?.value[0]?.address === 'second@eventline.test',
      );
      expect(bySecond.length).toBeGreaterThan(0);
      expect(bySecond.length).toBeLessThan(300);
    } finally {
      await second.close();
    }
  }, 90_000);

  it('a session with 1,000 registrations moved: 1,000 updates delivered in bounded time', async () => {
    await serverUp();
    const sessionId = await crowdedSession(1000, 'crowd');
    const started = Date.now();
    await t.http
      .patch(`/admin/sessions/${sessionId}`)
      .set(auth)
      .send({ startsAt: inDays(30), endsAt: inDays(30, 2) })
      .expect(200);
    const patchMs = Date.now() - started;
    await until('1,000 messages', async () => (received('crowd').length >= 1000 ? true : undefined), 90_000);
    const elapsed = Date.now() - started;
    expect(patchMs).toBeLessThan(5000);
    expect(elapsed).toBeLessThan(90_000);
    await sleep(300);
    expect(new Set(received('crowd')).size).toBe(1000);
    expect(received('crowd')).toHaveLength(1000);
    const [{ pending }] = await t.db.query(
      `SELECT count(*)::int AS pending FROM mail_outbox o JOIN registrations r ON r.id = o.registration_id
        WHERE r.session_id = $1 AND o.status <> 'sent'`,
      [sessionId],
    );
    expect(pending).toBe(0);
  }, 120_000);
});

describe('shutting down', () => {
  it('stops within seconds while a send hangs on a silent server, and leaves the message to be retried', async () => {
    // Accepts connections and never greets: a send waits on it until its timeout.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const t = await createTestApp({ smtpUrl: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`, mail: FAST });
    let closed = false;
    try {
      const f = await factories(t);
      const session = await f.publishedSession();
      const res = await f.register(session.id, { email: 'hung@example.com' });
      expect(res.status).toBe(201);
      await until('the send to start', async () => (sockets.length > 0 ? true : undefined));
      const started = Date.now();
      await t.app.close();
      closed = true;
      expect(Date.now() - started).toBeLessThan(5000);
      const [row] = await t.db.query(`SELECT status, attempts, last_error FROM mail_outbox WHERE registration_id = $1`, [res.body.id]);
      // The cut send counts as a failed attempt: pending, retried by whichever instance runs next.
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(row.last_error).toMatch(/abort/i);
    } finally {
      if (!closed) await t.app.close();
      await t.db.destroy();
      await dropTestDatabase(t.databaseUrl);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 30_000);
});

describe('without SMTP_URL, and with the rate limits on', () => {
  let dataDir: string;
  let t: TestApp;
  let f: Factories;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'eventline-mail-'));
    t = await createTestApp({ dataDir, rateLimit: true, mail: FAST });
    f = await factories(t);
  });

  afterAll(async () => {
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes each message as an .eml file under DATA_DIR/mail', async () => {
    const session = await f.publishedSession();
    const res = await f.register(session.id, { email: 'local@example.com' });
    expect(res.status).toBe(201);
    const [{ id }] = await until('the outbox row', async () => {
      const rows = await t.db.query(`SELECT id FROM mail_outbox WHERE registration_id = $1 AND status = 'sent'`, [res.body.id]);
      return rows.length > 0 ? rows : undefined;
    });
    const parsed = await simpleParser(await readFile(join(dataDir, 'mail', `${id}.eml`)));
    expect(parsed.subject).toMatch(/^You're registered: /);
    expect(parsed.messageId).toBe(`<${id}@eventline.test>`);
    expect(parsed.attachments.some((a) => a.contentType === 'text/calendar')).toBe(true);
  });

  it('limits resends per email and per client address', async () => {
    const session = await f.publishedSession();
    const body = { sessionId: session.id, email: 'often@example.com' };
    for (let i = 0; i < 3; i++) await t.http.post('/registrations/resend').send(body).expect(202);
    const limited = await t.http
      .post('/registrations/resend')
      .send({ ...body, email: 'OFTEN@example.com' })
      .expect(429);
    expect(limited.body.type).toBe(`${BASE_URL}/problems/rate-limited`);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // 4 counted for this client so far; 6 more addresses pass, the next is over the 10 per client.
    for (let i = 0; i < 6; i++)
      await t.http
        .post('/registrations/resend')
        .send({ ...body, email: `x${i}@example.com` })
        .expect(202);
    await t.http
      .post('/registrations/resend')
      .send({ ...body, email: 'fresh@example.com' })
      .expect(429);
  });
});
