import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { poolConfig } from './database';

/**
 * TypeORM only describes and migrates the schema (the migration CLI, start-up migrations, the
 * drift test); services use Database. Entities are found by file name, so this folder imports no feature.
 */
export function typeormOptions(url: string, overrides: { poolSize?: number } = {}): DataSourceOptions {
  const { connectionString: _url, max, ...extra } = poolConfig(url, overrides);
  return {
    type: 'postgres',
    url,
    entities: [join(__dirname, '..', '**', '*.entity.{ts,js}')],
    migrations: [join(__dirname, '..', '..', 'migrations', '*.{ts,js}')],
    migrationsTableName: 'migrations',
    synchronize: false,
    // Failures surface as exceptions, reported by whoever runs the migrations.
    logging: false,
    extra: { max, ...extra },
  };
}
