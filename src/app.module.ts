import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { ProblemFilter } from './common/problem.filter';
import { createValidationPipe } from './common/validation.pipe';
import { ConfigModule } from './config/config.module';
import type { AppConfig } from './config/env.schema';
import { typeormOptions } from './database/typeorm-options';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

@Module({})
export class AppModule {
  /** `config.databaseUrl` must be resolved (the embedded database started) before this. */
  static forRoot(config: AppConfig & { databaseUrl: string }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // A caller's X-Request-Id is kept when sane, else one is made; either way it is echoed.
            genReqId: (req, res) => {
              const given = req.headers['x-request-id'];
              const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
              res.setHeader('X-Request-Id', id);
              return id;
            },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            autoLogging: { ignore: (req) => req.url?.startsWith('/health') ?? false },
          },
        }),
        TypeOrmModule.forRoot(typeormOptions(config.databaseUrl)),
        AuthModule,
        EventsModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
