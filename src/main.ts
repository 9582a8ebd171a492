import 'reflect-metadata';
import { createApp } from './app.factory';
import { createInitialAdmin } from './auth/initial-admin';
import { ConfigError, loadConfig } from './config/env.schema';
import type { Database } from './database/database';
import { prepareDatabase } from './database/prepare-database';
import { resolveDatabase } from './database/resolve-database';
import { seedDemo } from './events/demo-seed';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const database = await resolveDatabase(config);
  const { admin } = config;
  await prepareDatabase(database.url, [
    ...(config.seedDemo ? [seedDemo] : []),
    ...(admin ? [(db: Database) => createInitialAdmin(db, admin)] : []),
  ]);
  const app = await createApp({ ...config, databaseUrl: database.url });
  await app.listen({ port: config.port, host: '0.0.0.0' });

  // Drain: stop accepting, let requests in flight finish, close the pool, then exit 0.
  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Eventline failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
