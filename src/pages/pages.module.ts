import { join } from 'node:path';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Eta } from 'eta';
import { EventsModule } from '../events/events.module';
import { RegistrationsModule } from '../registrations/registrations.module';
import { EmbedController } from './embed.controller';
import { acceptFormBodiesOnPages } from './form-body';
import { PagesController } from './pages.controller';

@Module({
  imports: [EventsModule, RegistrationsModule],
  controllers: [PagesController, EmbedController],
})
export class PagesModule {}

/** Eta (escaping by default) registered in Fastify through @fastify/view; pages' forms get their body parser. */
export function setupPages(app: NestFastifyApplication): void {
  app.setViewEngine({ engine: { eta: new Eta({ autoEscape: true, cache: true }) }, templates: join(__dirname, 'views'), production: true });
  acceptFormBodiesOnPages(app.getHttpAdapter().getInstance());
}
