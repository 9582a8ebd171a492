import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/env.schema';
import { prepareDatabase } from './database/prepare-database';
import { resolveDatabase } from './database/resolve-database';
import { drainOnSignals } from './shutdown';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const database = await resolveDatabase(config);
  await prepareDatabase(database.url, config);
  const app = await createApp({ ...config, databaseUrl: database.url });
  await app.listen({ port: config.port, host: '0.0.0.0' });

  drainOnSignals(app, () => database.stop());
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Eventline failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
