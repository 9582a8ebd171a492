import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The template database: migrated once per test run, copied for each spec. */
export const TEMPLATE_DB = 'eventline_test_template';

export function adminUrl(): string {
  const url = process.env.EVENTLINE_TEST_ADMIN_URL;
  if (!url) throw new Error('EVENTLINE_TEST_ADMIN_URL is unset: run the tests through jest (its global setup starts PostgreSQL)');
  return url;
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database with every migration applied, copied from the template in a few milliseconds. */
export async function createTestDatabase(): Promise<string> {
  const name = `eventline_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(async (c) => {
    // CREATE DATABASE ... TEMPLATE fails while someone else is copying the same template; retry.
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
        return;
      } catch (error) {
        if (attempt >= 50 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  return databaseUrl(name);
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
