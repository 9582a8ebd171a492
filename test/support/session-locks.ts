import { Client } from 'pg';
import type { TestApp } from './test-app';

/**
 * Backends of this database waiting for a lock (behind a holder, or behind another waiter), by
 * pid. Asked from a connection outside any transaction: inside one, pg_stat_activity keeps its
 * first snapshot.
 */
export async function lockWaiters(db: Client): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND cardinality(pg_blocking_pids(pid)) > 0`,
  );
  return rows.map((r) => r.pid);
}

/**
 * Locks a session's row from a connection of its own, so registrations sent meanwhile queue on
 * the lock inside PostgreSQL. `client` runs more in the holding transaction; `release` commits.
 */
export async function holdSession(databaseUrl: string, sessionId: string): Promise<{ client: Client; release: () => Promise<void> }> {
  const client = new Client({ connectionString: databaseUrl });
  // A failed test leaves it open until the database is dropped: not a crash of the run.
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [sessionId]);
  return {
    client,
    release: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/**
 * The app listening on a free port, so requests sent at once really overlap on its sockets, and a
 * connection of the test's own beside it, to watch lock waiters from outside the app.
 */
export async function listeningWithConnection(t: TestApp): Promise<{ url: string; db: Client }> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const db = new Client({ connectionString: t.databaseUrl });
  await db.connect();
  return { url: await t.app.getUrl(), db };
}
