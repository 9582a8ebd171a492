import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIN, startBuiltServer } from './support/built-server';

describe('the built server on a fresh machine (no DATABASE_URL)', () => {
  it('starts its embedded PostgreSQL, loads the TBJ demo and serves the three sessions; SIGTERM exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-fresh-'));
    const server = await startBuiltServer({
      DATABASE_URL: undefined,
      DATA_DIR: dataDir,
      SEED_DEMO: undefined,
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: 'a-long-password',
    });
    try {
      const res = await fetch(`${server.url}/sessions?from=2020-01-01T00:00:00Z`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: { startsAt: string; timezone: string; event: { title: string } }[] };
      expect(body.data).toHaveLength(3);
      const days = body.data.map((s) =>
        new Intl.DateTimeFormat('en-US', { timeZone: s.timezone, month: 'short', day: '2-digit' }).format(new Date(s.startsAt)),
      );
      expect(days).toEqual(['Aug 01', 'Aug 22', 'Aug 29']);
      expect(body.data.every((s) => s.timezone === 'America/Los_Angeles')).toBe(true);
      expect(Date.parse(body.data[0].startsAt)).toBeGreaterThan(Date.now());
      const events = (await (await fetch(`${server.url}/events`)).json()) as { data: { organizer: string }[] };
      expect(events.data.map((e) => e.organizer)).toEqual(['TBJ', 'TBJ', 'TBJ']);
      const login = await fetch(`${server.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.com', password: 'a-long-password' }),
      });
      expect(login.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // Data survives a restart, and the demo is not loaded twice.
    const again = await startBuiltServer({ DATABASE_URL: undefined, DATA_DIR: dataDir });
    try {
      const body = (await (await fetch(`${again.url}/sessions?from=2020-01-01T00:00:00Z`)).json()) as { data: unknown[] };
      expect(body.data).toHaveLength(3);
    } finally {
      expect(await again.stop()).toBe(0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('stops at once with one line naming a bad variable', () => {
    let stderr = '';
    let status: number | null = 0;
    try {
      execFileSync(process.execPath, [MAIN], { env: { ...process.env, PORT: 'eighty' }, stdio: 'pipe', timeout: 20_000 });
    } catch (error) {
      const e = error as { status: number | null; stderr: Buffer };
      status = e.status;
      stderr = e.stderr.toString();
    }
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('PORT');
  });
});
