import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { StaffTokenEntity } from '../auth/staff-token.entity';
import { StaffUserEntity } from '../auth/staff-user.entity';
import { EventEntity } from '../events/event.entity';
import { SessionEntity } from '../events/session.entity';
import { IdempotencyKeyEntity } from '../registrations/idempotency-key.entity';
import { RegistrationEntity } from '../registrations/registration.entity';

export const ENTITIES = [EventEntity, SessionEntity, RegistrationEntity, IdempotencyKeyEntity, StaffUserEntity, StaffTokenEntity];

/** One definition for the app, the migration CLI and the tests. The schema changes only by migrations. */
export function typeormOptions(url: string, overrides: { poolSize?: number } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [join(__dirname, '..', '..', 'migrations', '*.{ts,js}')],
    migrationsTableName: 'migrations',
    synchronize: false,
    // Failures surface as exceptions and are logged once, by the problem filter.
    logging: false,
    extra: {
      max: overrides.poolSize ?? 20,
      // A refused connection fails at once (503); this bounds waiting for a pool slot or a silent host.
      connectionTimeoutMillis: 8000,
      query_timeout: 8000,
      idleTimeoutMillis: 10000,
      application_name: 'eventline',
    },
  };
}
