import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PASSWORD_FILE, startEmbeddedDatabase } from '../src/database/embedded-database';
import { freePort } from '../src/database/resolve-database';
import { MAIN, startBuiltServer } from './support/built-server';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

const CLI = join(MAIN, '..', 'cli.js');

/** Runs a built entry point to its end: exit status and what it wrote. */
function runToExit(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ status: number | string | null; output: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    // 'close', not 'exit': by then everything it wrote has been read.
    child.once('close', (status, signal) => resolve({ status: status ?? signal, output }));
  });
}

function oneLine(run: { status: number | string | null; output: string }): { status: number | string | null; lines: string[] } {
  return { status: run.status, lines: run.output.trim().split('\n') };
}

function messages(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

describe('first starts', () => {
  const leftovers: string[] = [];
  it('says what it did; a crash never blocks the next start; a second instance, a seed and a busy port each fail in one line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-first-'));
    leftovers.push(dataDir);
    const env = {
      DATABASE_URL: undefined,
      DATA_DIR: dataDir,
      SEED_DEMO: undefined,
      LOG_LEVEL: 'info',
      ADMIN_EMAIL: 'boss@example.com',
      ADMIN_PASSWORD: 'a-long-password',
    };
    const first = await startBuiltServer(env);
    try {
      const port = new URL(first.url).port;
      const said = messages(first.output());
      expect(said).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^Database: embedded PostgreSQL, data in \/.*postgres/),
          'Demo data: loaded the TBJ demo events',
          'Admin boss@example.com created',
          `Serving http://localhost:${port} (listening on 0.0.0.0:${port}); API docs at http://localhost:${port}/docs`,
        ]),
      );
      // Nest's module and route lines are debug now.
      expect(said.filter((m) => /Mapped \{|dependencies initialized/.test(m))).toEqual([]);

      const second = await runToExit(MAIN, [], { ...env, PORT: String(await freePort()) });
      expect(oneLine(second)).toEqual({
        status: 1,
        lines: [
          `Eventline failed to start: The data folder ${dataDir} is in use by another Eventline process (pid ${first.process.pid}): stop it, or give this one its own DATA_DIR`,
        ],
      });
      const seed = await runToExit(CLI, ['seed'], env);
      expect(oneLine(seed)).toEqual({
        status: 1,
        lines: [expect.stringMatching(/^The data folder .* is in use by another Eventline process/)],
      });
    } finally {
      // The crash: PostgreSQL is left running, as it would be after any SIGKILL.
      first.process.kill('SIGKILL');
      await new Promise((r) => first.process.once('exit', r));
    }
    const again = await startBuiltServer({ ...env, HOST: '127.0.0.1' });
    try {
      const body = (await (await fetch(`${again.url}/sessions?from=2020-01-01T00:00:00Z`)).json()) as { data: unknown[] };
      expect(body.data).toHaveLength(3);
      const port = new URL(again.url).port;
      const said = messages(again.output());
      expect(said).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/\(stopped the PostgreSQL, pid \d+, that a crashed run left behind\)$/),
          'Demo data: not loaded, there are events already',
          'ADMIN_EMAIL boss@example.com ignored: staff users exist already',
          `Serving http://localhost:${port} (listening on 127.0.0.1:${port}); API docs at http://localhost:${port}/docs`,
        ]),
      );
      // HOST: loopback only, where 0.0.0.0 would list every interface.
      expect(said.filter((m) => m.startsWith('Server listening at'))).toEqual([`Server listening at http://127.0.0.1:${port}`]);

      const database = await createTestDatabase();
      try {
        const busy = await runToExit(MAIN, [], {
          DATABASE_URL: database,
          PORT: port,
          SEED_DEMO: 'false',
          LOG_LEVEL: undefined,
        });
        expect(oneLine(busy)).toEqual({
          status: 1,
          lines: [
            `Eventline failed to start: Port ${new URL(again.url).port} is already in use on 0.0.0.0: stop what listens there, or set PORT`,
          ],
        });
      } finally {
        await dropTestDatabase(database);
      }
    } finally {
      expect(await again.stop()).toBe(0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  // Had the restart failed, the PostgreSQL the SIGKILL left behind would run on.
  afterAll(() => {
    for (const dir of leftovers) {
      const pidFile = join(dir, 'postgres', 'postmaster.pid');
      if (!existsSync(pidFile)) continue;
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGINT');
      } catch {
        // Gone already.
      }
    }
  });
});

describe('the embedded PostgreSQL superuser', () => {
  async function canLogIn(port: number, password: string): Promise<boolean> {
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
    return client.connect().then(
      () => client.end().then(() => true),
      () => false,
    );
  }

  it('has a random password per data folder, in a file only the service user reads; an old constant one is replaced', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-password-'));
    const port = await freePort();
    let database = await startEmbeddedDatabase({ dataDir, port });
    try {
      const file = join(dataDir, PASSWORD_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const password = readFileSync(file, 'utf8').trim();
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(decodeURIComponent(new URL(database.url).password)).toBe(password);
      expect(await canLogIn(port, 'eventline')).toBe(false);

      // A cluster made before this change, on the constant password: its next start replaces it.
      const client = new Client({ connectionString: database.url });
      await client.connect();
      await client.query(`ALTER ROLE postgres PASSWORD 'eventline'`);
      await client.end();
      await database.stop();
      rmSync(file);
      database = await startEmbeddedDatabase({ dataDir, port });
      const replaced = readFileSync(file, 'utf8').trim();
      expect(replaced).not.toBe(password);
      expect(await canLogIn(port, 'eventline')).toBe(false);
      expect(await canLogIn(port, replaced)).toBe(true);
    } finally {
      await database.stop();
      rmSync(database.clusterDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  (process.getuid?.() === 0 ? it : it.skip)('runs for root from a data folder the postgres user cannot enter', async () => {
    const privateDir = mkdtempSync(join(tmpdir(), 'eventline-private-'));
    const database = await startEmbeddedDatabase({ dataDir: join(privateDir, '.data'), port: await freePort() });
    try {
      expect(database.clusterDir).toMatch(/^\/var\/lib\/eventline\/clusters\//);
      expect(statSync(privateDir).mode & 0o777).toBe(0o700);
      const client = new Client({ connectionString: database.url });
      await client.connect();
      expect((await client.query<{ user: string }>('SELECT current_user AS user')).rows[0].user).toBe('postgres');
      await client.end();
    } finally {
      await database.stop();
      rmSync(database.clusterDir, { recursive: true, force: true });
      rmSync(privateDir, { recursive: true, force: true });
    }
  });
});
