import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, IncomingHttpHeaders, request } from 'node:http';
import { connect, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { BuiltServer, startBuiltServer } from './support/built-server';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

/**
 * SIGTERM / SIGINT on the built server (what production runs), with requests provably in flight:
 * the test holds the session's row lock, so registrations wait in PostgreSQL and behind the
 * per-session limiter until the test lets them go, after the signals.
 */
const ADMIN = { email: 'admin@example.com', password: 'a-long-enough-password' };

interface Answer {
  status: number;
  headers: IncomingHttpHeaders | Record<string, string>;
  body: string;
  /** The socket error when there was no answer (ECONNRESET, ECONNREFUSED…). */
  error?: string;
  /** When the answer's head arrived (Date.now()). */
  at?: number;
}

/**
 * One request through `agent` (keep-alive): never rejects, a failure is an Answer with `error`.
 * `onSent` runs once the whole request is in the operating system's hands.
 */
function send(
  url: string,
  agent: Agent,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  onSent?: () => void,
): Promise<Answer> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${url}${path}`,
      { method, agent, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } },
      (res) => {
        const at = Date.now();
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, at }));
        res.on('error', (error) => resolve({ status: 0, headers: {}, body: text, error: error.message }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, headers: {}, body: '', error: error.code ?? error.message }));
    if (onSent) req.once('finish', onSent);
    req.end(payload);
  });
}

async function sendJson(
  url: string,
  agent: Agent,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<Record<string, unknown>> {
  const answer = await send(url, agent, method, path, body, token ? { authorization: `Bearer ${token}` } : {});
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.body}`);
  return JSON.parse(answer.body) as Record<string, unknown>;
}

async function createSession(url: string, agent: Agent, capacity: number | null): Promise<string> {
  const { accessToken } = await sendJson(url, agent, 'POST', '/auth/login', ADMIN);
  const token = accessToken as string;
  const event = await sendJson(url, agent, 'POST', '/admin/events', { title: 'Drain drill', timezone: 'UTC', status: 'published' }, token);
  const day = 86_400_000;
  const session = await sendJson(
    url,
    agent,
    'POST',
    `/admin/events/${event.id as string}/sessions`,
    { startsAt: new Date(Date.now() + day).toISOString(), endsAt: new Date(Date.now() + day + 3600_000).toISOString(), capacity },
    token,
  );
  return session.id as string;
}

/** Splits what came back on a raw socket into HTTP/1.1 responses (Content-Length framed). */
function parseResponses(raw: string): Answer[] {
  const answers: Answer[] = [];
  let rest = raw;
  for (let end = rest.indexOf('\r\n\r\n'); end >= 0; end = rest.indexOf('\r\n\r\n')) {
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    answers.push({ status: Number(statusLine.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return answers;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Requests the server has logged as received (Fastify's "incoming request", at LOG_LEVEL=debug). */
function received(server: BuiltServer, path: string): number {
  return server
    .output()
    .split('\n')
    .filter((line) => line.includes('"incoming request"') && line.includes(`"url":"${path}"`) && line.includes('"method":"POST"')).length;
}

/** The exit code, the signal that killed the process, or 'still running' after `ms`. */
function exitWithin(server: BuiltServer, ms: number): Promise<number | string> {
  const exit = server.exited.then((code) => code ?? server.process.signalCode ?? 'killed');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((r) => (timer = setTimeout(() => r('still running'), ms)));
  // Cleared, so a timer left pending does not hold the jest worker up to 10 s after its last test.
  return Promise.race([exit, timeout]).finally(() => clearTimeout(timer));
}

describe('shutdown', () => {
  let databaseUrl: string;
  let server: BuiltServer | undefined;
  const agents: Agent[] = [];
  const keepAlive = (): Agent => {
    const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
    agents.push(agent);
    return agent;
  };

  beforeEach(async () => {
    databaseUrl = await createTestDatabase();
  });
  afterEach(async () => {
    if (server?.process.exitCode === null) server.process.kill('SIGKILL');
    await server?.exited;
    server = undefined;
    agents.splice(0).forEach((a) => a.destroy());
    await dropTestDatabase(databaseUrl);
  });

  async function start(): Promise<BuiltServer> {
    // debug: the test counts the requests the server has received from its request log.
    const env = {
      DATABASE_URL: databaseUrl,
      RATE_LIMIT: 'off',
      LOG_LEVEL: 'debug',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    };
    return startBuiltServer(env, 60_000, { detached: true });
  }

  it('SIGTERM, repeated and to the whole group, with 50 registrations held in flight: every one answered, exit 0 within 10 s', async () => {
    server = await start();
    const { url } = server;
    const pid = server.process.pid!;
    const agent = keepAlive();
    const sessionId = await createSession(url, agent, 40);
    const path = `/sessions/${sessionId}/registrations`;

    // An idle keep-alive connection, which must not hold the exit.
    const idleAgent = keepAlive();
    let idleSocketClosedAt = 0;
    idleAgent.on('free', (socket: Socket) => socket.once('close', () => (idleSocketClosedAt = Date.now())));
    expect((await send(url, idleAgent, 'GET', '/health/live')).status).toBe(200);

    // The test holds the session's row lock: every registration waits, in PostgreSQL or queued
    // behind the per-session limiter.
    const lock = new Client({ connectionString: databaseUrl });
    lock.on('error', () => undefined);
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [sessionId]);

    const answers = Array.from({ length: 50 }, (_, i) =>
      send(url, agent, 'POST', path, { name: `Drain ${i}`, email: `drain${i}@example.com` }),
    );

    // One more on a raw kept-alive connection, to send a second request on it during the drain.
    const raw = connect(Number(new URL(url).port), '127.0.0.1');
    let rawData = '';
    raw.setEncoding('utf8').on('data', (d: string) => (rawData += d));
    raw.on('error', () => undefined);
    const rawClosed = new Promise((r) => raw.once('close', r));
    const rawBody = JSON.stringify({ name: 'Drain raw', email: 'drain-raw@example.com' });
    raw.write(
      `POST ${path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(rawBody)}\r\n\r\n${rawBody}`,
    );

    await waitFor('51 registrations received', () => received(server!, path) === 51);
    await waitFor('registrations waiting on the lock', async () => {
      const { rows } = await lock.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'eventline' AND wait_event_type = 'Lock'`,
      );
      return rows[0].n > 0;
    });

    const signalledAt = Date.now();
    process.kill(pid, 'SIGTERM');
    await sleep(200);
    // npm, systemd and Ctrl-C deliver the signal again, to the whole group.
    process.kill(pid, 'SIGTERM');
    process.kill(-pid, 'SIGTERM');
    process.kill(-pid, 'SIGINT');

    await waitFor('the idle keep-alive connection closed', () => idleSocketClosedAt > 0, 3000);
    // Past the grace (the listener is closed), a second request on the busy raw connection.
    raw.write(`GET /sessions/${sessionId} HTTP/1.1\r\nHost: test\r\n\r\n`);
    const refused = await send(url, new Agent(), 'GET', '/health/live');
    expect(refused.error).toBe('ECONNREFUSED');
    await sleep(Math.max(0, signalledAt + 1000 - Date.now()));
    // Still draining: nothing was answered while the lock is held, and the process lives.
    expect(server.process.exitCode).toBeNull();
    expect(server.process.signalCode).toBeNull();
    expect(rawData).toBe('');

    await lock.query('COMMIT');
    await lock.end();

    const results = await Promise.all(answers);
    const exitCode = await exitWithin(server, signalledAt + 10_000 - Date.now());
    await rawClosed;
    expect(exitCode).toBe(0);

    expect(results.filter((a) => a.status !== 201 && a.status !== 409)).toEqual([]);
    expect(results.filter((a) => a.headers.connection !== 'close')).toEqual([]);
    for (const a of results.filter((r) => r.status === 409)) expect(a.headers['content-type']).toContain('application/problem+json');

    // The raw connection: its registration answered, then the request that came during the drain
    // a 503 problem+json, and the server closed the connection.
    const [first, second] = parseResponses(rawData);
    expect([201, 409]).toContain(first.status);
    expect(second).toMatchObject({ status: 503, headers: { connection: 'close', 'retry-after': '2' } });
    expect(second.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(second.body)).toMatchObject({ status: 503 });

    const check = new Client({ connectionString: databaseUrl });
    await check.connect();
    const { rows } = await check.query<{ n: number }>('SELECT count(*)::int AS n FROM registrations WHERE session_id = $1', [sessionId]);
    await check.end();
    expect(rows[0].n).toBe(40);
    expect([...results, first].filter((a) => a.status === 201)).toHaveLength(40);
  });

  it('SIGTERM just after 50 registrations were sent: not one connection reset, each answered', async () => {
    server = await start();
    const { url } = server;
    const sessionId = await createSession(url, keepAlive(), null);
    const agent = keepAlive();
    let sent = 0;
    let allSent!: () => void;
    const everySent = new Promise<void>((r) => (allSent = r));
    const answers = Array.from({ length: 50 }, (_, i) =>
      send(url, agent, 'POST', `/sessions/${sessionId}/registrations`, { name: `Rush ${i}`, email: `rush${i}@example.com` }, {}, () => {
        if (++sent === 50) allSent();
      }),
    );
    // Signalled as soon as every request has left this process (a starved test process would
    // otherwise send some after the drain began): many are still unread by the server.
    await everySent;
    const signalledAt = Date.now();
    process.kill(server.process.pid!, 'SIGTERM');
    const results = await Promise.all(answers);
    expect(await exitWithin(server, signalledAt + 10_000 - Date.now())).toBe(0);

    // Each was sent before the signal: every one is answered, none refused or cut off.
    expect(results.filter((a) => a.status === 0)).toEqual([]);
    // Registrations are quick: those answered before the drain began may keep their connection
    // (the first spec holds them in flight to check Connection: close); a refusal always closes.
    const duringDrain = results.filter((r) => r.status !== 0 && r.at! >= signalledAt);
    for (const a of duringDrain) {
      if (a.status !== 201) {
        expect(a.status).toBe(503);
        expect(a.headers.connection).toBe('close');
        expect(a.headers['content-type']).toContain('application/problem+json');
      }
    }
    expect(duringDrain.filter((a) => a.status === 201).length).toBeGreaterThan(0);
  });

  it('with the embedded PostgreSQL: a registration still arriving at SIGTERM, then a group SIGINT, is stored (201) before the database stops', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-drain-'));
    try {
      server = await startBuiltServer(
        {
          DATABASE_URL: undefined,
          DATA_DIR: dataDir,
          LOG_LEVEL: 'debug',
          RATE_LIMIT: 'off',
          ADMIN_EMAIL: ADMIN.email,
          ADMIN_PASSWORD: ADMIN.password,
        },
        60_000,
        { detached: true },
      );
      const { url } = server;
      const agent = keepAlive();
      const sessionId = await createSession(url, agent, null);
      const path = `/sessions/${sessionId}/registrations`;
      // Headers and half the body now, the rest after the signals.
      const body = JSON.stringify({ name: 'Late body', email: 'late@example.com' });
      const half = Math.floor(body.length / 2);
      const slow = connect(Number(new URL(url).port), '127.0.0.1');
      let data = '';
      slow.setEncoding('utf8').on('data', (d: string) => (data += d));
      slow.on('error', () => undefined);
      const closed = new Promise((r) => slow.once('close', r));
      slow.write(
        `POST ${path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, half)}`,
      );
      await waitFor('the registration received', () => received(server!, path) === 1);

      const signalledAt = Date.now();
      process.kill(server.process.pid!, 'SIGTERM');
      await sleep(300);
      // Ctrl-C: SIGINT to the whole group, which must not stop PostgreSQL before the drain ends.
      process.kill(-server.process.pid!, 'SIGINT');
      await sleep(300);
      expect(server.process.exitCode).toBeNull();
      slow.write(body.slice(half));
      await closed;
      expect(await exitWithin(server, signalledAt + 10_000 - Date.now())).toBe(0);
      const [answer] = parseResponses(data);
      expect(answer.status).toBe(201);
      expect(answer.headers.connection).toBe('close');
      // Stopped cleanly: no PostgreSQL left running on the folder.
      expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
      server = undefined;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a request that cannot finish does not hold the process: it exits 1 before 10 s and says why', async () => {
    server = await start();
    const { url } = server;
    const sessionId = await createSession(url, keepAlive(), null);
    const path = `/sessions/${sessionId}/registrations`;
    // Headers and half a body: received, and never complete.
    const slow = connect(Number(new URL(url).port), '127.0.0.1');
    slow.on('error', () => undefined);
    slow.write(`POST ${path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`);
    await waitFor('the request received', () => received(server!, path) === 1);

    const signalledAt = Date.now();
    process.kill(server.process.pid!, 'SIGTERM');
    const exitCode = await exitWithin(server, 10_000);
    expect(exitCode).toBe(1);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(server.output()).toMatch(/did not finish/);
    slow.destroy();
  });
});
