import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/env.schema';
import { setupOpenApi } from './openapi';

export const BODY_LIMIT = 100 * 1024;

/** Builds the whole application (used by main.ts and by the e2e tests alike). */
export async function createApp(config: AppConfig & { databaseUrl: string }): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    maxParamLength: 300,
    return503OnClosing: true,
    // Keep-alive clients are not allowed to hold a shutdown open.
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  setupOpenApi(app);
  await app.init();
  return app;
}
