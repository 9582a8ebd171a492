import { createServer } from 'node:net';
import type { AppConfig } from '../config/env.schema';
import { startEmbeddedDatabase } from './embedded-database';

export interface ResolvedDatabase {
  url: string;
  /** One line for the start-up log: which database, and where (never the password). */
  description: string;
  /** Stops the embedded PostgreSQL; nothing to do for an external one. */
  stop(): Promise<void>;
}

/** `DATABASE_URL` when set; otherwise the embedded PostgreSQL, with its data in `<DATA_DIR>/postgres`. */
export async function resolveDatabase(config: Pick<AppConfig, 'databaseUrl' | 'dataDir'>): Promise<ResolvedDatabase> {
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    return { url: config.databaseUrl, description: `Database: PostgreSQL at ${url.host}${url.pathname}`, stop: async () => undefined };
  }
  const embedded = await startEmbeddedDatabase({ dataDir: config.dataDir, port: await freePort() });
  const recovered = embedded.stoppedOrphan
    ? ` (stopped the PostgreSQL, pid ${embedded.stoppedOrphan}, that a crashed run left behind)`
    : '';
  return { ...embedded, description: `Database: embedded PostgreSQL, data in ${embedded.clusterDir}${recovered}` };
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}
