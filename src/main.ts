import 'reflect-metadata';
import { createApp } from './app.factory';
import { StartupError } from './common/startup-error';
import { ConfigError, loadConfig } from './config/env.schema';
import { prepareDatabase } from './database/prepare-database';
import { resolveDatabase } from './database/resolve-database';
import { drainOnSignals } from './shutdown';
import { startupSeed } from './startup-seed';
import { listenFailure, startupLines } from './startup-summary';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const database = await resolveDatabase(config);
  const prepared = await prepareDatabase(database.url, startupSeed(config));
  const app = await createApp({ ...config, databaseUrl: database.url });
  const fastify = app.getHttpAdapter().getInstance();
  // Fastify's listen, not Nest's: Nest logs a failure itself, after "successfully started".
  await fastify.listen({ port: config.port, host: config.host }).catch(async (error: unknown) => {
    await app.close();
    throw new StartupError(listenFailure(error, config));
  });
  for (const line of startupLines(config, database.description, prepared)) fastify.log.info(line);

  drainOnSignals(app, () => database.stop());
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof StartupError) {
    process.stderr.write(`Eventline failed to start: ${error.message}\n`);
  } else {
    process.stderr.write(`Eventline failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
