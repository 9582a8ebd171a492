/**
 * The benchmark baseline: the service's hot jobs on plain node:http + pg over the same tables,
 * as fast as honest raw code makes them (prepared statements, fewest round trips), answering
 * what the service answers. Under /raw/ it also serves the minimal references: a bare liveness
 * answer, a listing with fewer fields, and registration as a raw transaction and as one
 * statement (with and without its outbox row). No framework, no ORM, no validation library.
 * Configured by DATABASE_URL, PORT and PUBLIC_BASE_URL.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { allSessionsFeed } from './calendar';
import { HttpProblem, readJsonBody, sendJson, sendProblem, sendRawJson } from './http';
import { registerInBatch, registerInOneStatement, registerInTransaction } from './raw-registrations';
import { register } from './registrations';
import { listSessions, minimalSessionsPage } from './sessions';

const port = Number(process.env.PORT ?? 3001);
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL is required');
  process.exit(1);
}
const baseUrl = (process.env.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/$/, '');
// Same pool size as the service's, so the comparison is about code, not connections.
const pool = new Pool({ connectionString: databaseUrl, max: Number(process.env.POOL_SIZE ?? 20), application_name: 'eventline-baseline' });

const REGISTER = /^\/(?:raw\/(transaction|statement|statement-without-mail|batch|batch-without-mail)\/)?sessions\/([^/]+)\/registrations$/;
const LIVE_BODY = Buffer.from('{"status":"ok"}');

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  if (req.method === 'GET' && path === '/health/live') return sendJson(res, 200, { status: 'ok' });
  if (req.method === 'GET' && path === '/sessions') return sendJson(res, 200, await listSessions(pool, url.searchParams, baseUrl));
  if (req.method === 'GET' && path === '/raw/sessions') return sendRawJson(res, 200, await minimalSessionsPage(pool, url.searchParams));
  if (req.method === 'GET' && path === '/calendars/all.ics') {
    const feed = await allSessionsFeed(pool, header(req, 'if-none-match'), baseUrl);
    const headers = { etag: feed.etag, 'last-modified': feed.lastModified.toUTCString(), 'cache-control': 'public, max-age=300' };
    if (feed.body === null) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': 'text/calendar; charset=utf-8', 'content-length': feed.body.length });
    res.end(feed.body);
    return;
  }
  const m = REGISTER.exec(path);
  if (req.method === 'POST' && m) {
    const body = await readJsonBody(req);
    const sessionId = decodeURIComponent(m[2]);
    const reply =
      m[1] === 'transaction'
        ? await registerInTransaction(pool, sessionId, body)
        : m[1] === 'statement' || m[1] === 'statement-without-mail'
          ? await registerInOneStatement(pool, sessionId, body, m[1] === 'statement')
          : m[1] === 'batch' || m[1] === 'batch-without-mail'
            ? await registerInBatch(pool, sessionId, body, m[1] === 'batch')
            : await register(pool, sessionId, body, header(req, 'idempotency-key'), baseUrl);
    return sendRawJson(res, reply.status, reply.body);
  }
  throw new HttpProblem(404, 'not-found', 'Not found');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const server = createServer((req, res) => {
  // The reference for liveness: the least node:http can do for a request.
  if (req.url === '/raw/health/live') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': LIVE_BODY.length });
    res.end(LIVE_BODY);
    return;
  }
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
