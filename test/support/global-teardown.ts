import { rmSync } from 'node:fs';
import { Client } from 'pg';
import type { EmbeddedDatabase } from '../../src/database/embedded-database';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __EMBEDDED__?: EmbeddedDatabase }).__EMBEDDED__;
  if (embedded) {
    await embedded.stop();
    rmSync(embedded.clusterDir, { recursive: true, force: true });
    // Each run's cluster is some tens of MB: runs must not fill the disk.
    const dataDir = process.env.EVENTLINE_TEST_DATA_DIR;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    return;
  }
  const client = new Client({ connectionString: process.env.EVENTLINE_TEST_ADMIN_URL });
  await client.connect();
  const rows = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'eventline_test_%'`);
  for (const { datname } of rows.rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  await client.end();
}
