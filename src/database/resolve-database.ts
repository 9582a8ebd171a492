import { createServer } from 'node:net';
import type { AppConfig } from '../config/env.schema';
import { startEmbeddedDatabase } from './embedded-database';

export interface ResolvedDatabase {
  url: string;
  /** Stops the embedded PostgreSQL; nothing to do for an external one. */
  stop(): Promise<void>;
}

/** `DATABASE_URL` when set; otherwise the embedded PostgreSQL, with its data in `<DATA_DIR>/postgres`. */
export async function resolveDatabase(config: Pick<AppConfig, 'databaseUrl' | 'dataDir'>): Promise<ResolvedDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => undefined };
  return startEmbeddedDatabase({ dataDir: config.dataDir, port: await freePort() });
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
