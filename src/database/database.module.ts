import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Database, type PoolOptions } from './database';

@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly database: Database) {}

  static forRoot(url: string, options: PoolOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [{ provide: Database, useFactory: () => new Database(url, options) }],
      exports: [Database],
    };
  }

  onApplicationShutdown(): Promise<void> {
    return this.database.close();
  }
}
