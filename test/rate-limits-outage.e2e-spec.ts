import { BuiltServer, startBuiltServer } from './support/built-server';
import { RestartablePostgres } from './support/restartable-postgres';

/**
 * The limits live in PostgreSQL: with the database away, the limited routes answer 503 with
 * Retry-After like every other route that needs it (never 500), and work again once it is back.
 * On the built server (`npm run build` first): in jest's sandbox, errors from Node's own modules
 * are not `instanceof Error`, so an in-process app would classify them differently.
 */
let pg: RestartablePostgres;
let server: BuiltServer;

beforeAll(async () => {
  pg = await RestartablePostgres.start();
  server = await startBuiltServer({ DATABASE_URL: pg.url, RATE_LIMIT: 'on', SEED_DEMO: 'false' });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await pg?.exit();
});

const post = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
const login = () => post('/auth/login', { email: 'nobody@staff.test', password: 'whatever' });
const register = () => post('/sessions/00000000-0000-4000-8000-000000000000/registrations', { name: 'A', email: 'a@example.com' });

it('login and registering answer 503 with Retry-After while the database is away, and recover', async () => {
  expect((await login()).status).toBe(401);
  expect((await register()).status).toBe(404);

  await pg.stop();
  for (const res of [await login(), await register()]) {
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).not.toBeNull();
  }

  await pg.restart();
  // The pool drops its dead connections as they fail; back within a few seconds.
  let status = 0;
  for (let i = 0; i < 50 && status !== 401; i++) {
    status = (await login()).status;
    if (status !== 401) await new Promise((r) => setTimeout(r, 100));
  }
  expect(status).toBe(401);
  expect((await register()).status).toBe(404);
});
