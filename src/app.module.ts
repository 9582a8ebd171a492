import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { CalendarsModule } from './calendars/calendars.module';
import { ProblemFilter } from './common/problem.filter';
import { RateLimitModule } from './rate-limits/rate-limiter';
import { createValidationPipe } from './common/validation.pipe';
import { ConfigModule } from './config/config.module';
import type { AppConfig } from './config/env.schema';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { MailModule } from './mail/mail.module';
import { MailDeliveryModule } from './mail-delivery/mail-delivery.module';
import { PagesModule } from './pages/pages.module';
import { RegistrationsModule } from './registrations/registrations.module';

/** No statement of a request runs (or waits for a lock) longer than this; the request then gets a 503. */
const STATEMENT_TIMEOUT_MS = 8000;

@Module({})
export class AppModule {
  /** `config.databaseUrl` must be resolved (the embedded database started) before this. */
  static forRoot(config: AppConfig & { databaseUrl: string }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(config.databaseUrl, { statementTimeoutMs: STATEMENT_TIMEOUT_MS }),
        RateLimitModule,
        AuthModule,
        EventsModule,
        RegistrationsModule,
        CalendarsModule,
        HealthModule,
        PagesModule,
        MailModule,
        MailDeliveryModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
