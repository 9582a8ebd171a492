import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuiltServer, startBuiltServer } from './support/built-server';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

/**
 * The built server's memory, started with the environment `npm run start:prod` gives it (read from
 * package.json, as the Dockerfile repeats it). A password check (argon2id, 19 MiB) runs on one of
 * libuv's four threads; under glibc's adaptive malloc thresholds each thread's arena kept those
 * 19 MiB once it had checked a password: about 80 MB of RSS that was never returned.
 */
function startProdEnv(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [, assignments] = /^((?:[A-Z_]+=\S+\s+)*)node /.exec(pkg.scripts['start:prod']) ?? [];
  return Object.fromEntries(
    (assignments ?? '')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((a) => a.split('=', 2)),
  );
}

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const linuxIt = process.platform === 'linux' ? it : it.skip;

describe('memory', () => {
  let databaseUrl: string;
  let server: BuiltServer | undefined;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
  });
  afterAll(async () => {
    await server?.stop();
    await dropTestDatabase(databaseUrl);
  });

  linuxIt('password checks give their memory back: 16 logins, 8 at a time, leave RSS within 30 MB of before', async () => {
    expect(startProdEnv()).toHaveProperty('MALLOC_MMAP_THRESHOLD_');
    server = await startBuiltServer({ ...startProdEnv(), DATABASE_URL: databaseUrl, RATE_LIMIT: 'off', SEED_DEMO: 'false' });
    const pid = server.process.pid!;
    const login = () =>
      fetch(`${server!.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@staff.test', password: 'not-the-password' }),
      }).then((res) => res.status);
    expect((await fetch(`${server.url}/sessions`)).status).toBe(200);
    const before = rssMb(pid);
    for (let round = 0; round < 2; round++) {
      // Eight at once: every one of libuv's threads checks a password.
      expect(await Promise.all(Array.from({ length: 8 }, login))).toEqual(Array(8).fill(401));
    }
    expect(rssMb(pid) - before).toBeLessThan(30);
  });
});
