/**
 * The benchmark baseline: the service's hot jobs on plain node:http + pg with hand-written SQL
 * over the same tables. No framework, no ORM, no validation library; the service is measured
 * against this. Configured by DATABASE_URL, PORT and PUBLIC_BASE_URL.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { allSessionsFeed } from './calendar';
import { HttpProblem, readJsonBody, sendJson, sendProblem, sendRawJson } from './http';
import { register } from './registrations';
import { listSessions } from './sessions';

const port = Number(process.env.PORT ?? 3001);
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL is required');
  process.exit(1);
}
const baseUrl = (process.env.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/$/, '');
// Same pool size as the service's TypeORM pool, so the comparison is about code, not connections.
const pool = new Pool({ connectionString: databaseUrl, max: Number(process.env.POOL_SIZE ?? 20), application_name: 'eventline-baseline' });

const REGISTER = /^\/sessions\/([^/]+)\/registrations$/;

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  if (req.method === 'GET' && path === '/health/live') return sendJson(res, 200, { status: 'ok' });
  if (req.method === 'GET' && path === '/sessions') return sendJson(res, 200, await listSessions(pool, url.searchParams, baseUrl));
  if (req.method === 'GET' && path === '/calendars/all.ics') {
    const feed = await allSessionsFeed(pool, header(req, 'if-none-match'), baseUrl);
    const headers = { etag: feed.etag, 'last-modified': feed.lastModified.toUTCString(), 'cache-control': 'no-cache' };
    if (feed.body === null) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': 'text/calendar; charset=utf-8', 'content-length': Buffer.byteLength(feed.body) });
    res.end(feed.body);
    return;
  }
  const m = REGISTER.exec(path);
  if (req.method === 'POST' && m) {
    const body = await readJsonBody(req);
    const reply = await register(pool, decodeURIComponent(m[1]), body, header(req, 'idempotency-key'), baseUrl);
    return sendRawJson(res, reply.status, reply.body);
  }
  throw new HttpProblem(404, 'not-found', 'Not found');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const server = createServer((req, res) => {
  route(req, res).catch((err: unknown) => {
    if (err instanceof HttpProblem) return sendProblem(res, baseUrl, err);
    console.error(err);
    sendProblem(res, baseUrl, new HttpProblem(503, 'unavailable', 'Service unavailable'));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, () => console.log(`baseline listening on ${port}`));

process.on('SIGTERM', () => {
  server.close(() => void pool.end().then(() => process.exit(0)));
  server.closeIdleConnections();
});
