import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { prepareDatabase } from '../../src/database/prepare-database';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';
import { freePort } from '../../src/database/resolve-database';
import { TEMPLATE_DB } from './test-database';

/**
 * Starts PostgreSQL for the whole run (embedded, unless DATABASE_URL names one) and migrates a
 * template database with the real migrations. Workers inherit the environment set here.
 */
export default async function globalSetup(): Promise<void> {
  let admin = process.env.DATABASE_URL;
  if (!admin) {
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-test-'));
    const embedded = await startEmbeddedDatabase({ dataDir, port: await freePort(), database: 'postgres_admin' });
    (globalThis as { __EMBEDDED__?: unknown }).__EMBEDDED__ = embedded;
    admin = embedded.url;
    process.env.EVENTLINE_TEST_DATA_DIR = dataDir;
  }
  process.env.EVENTLINE_TEST_ADMIN_URL = admin;
  const client = new Client({ connectionString: admin });
  await client.connect();
  // Leftovers of an interrupted run against a shared server.
  const stale = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'eventline_test_%'`);
  for (const { datname } of stale.rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${TEMPLATE_DB}`;
  await prepareDatabase(url.toString());
}
