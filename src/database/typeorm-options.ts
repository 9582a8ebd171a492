import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { StaffTokenEntity } from '../auth/staff-token.entity';
import { StaffUserEntity } from '../auth/staff-user.entity';
import { EventEntity } from '../events/event.entity';
import { SessionEntity } from '../events/session.entity';
import { IdempotencyKeyEntity } from '../registrations/idempotency-key.entity';
import { RegistrationEntity } from '../registrations/registration.entity';

export const ENTITIES = [EventEntity, SessionEntity, RegistrationEntity, IdempotencyKeyEntity, StaffUserEntity, StaffTokenEntity];

/**
 * One definition for the app, the migration CLI and the tests. The schema changes only by migrations.
 * `statementTimeoutMs`: the serving app's bound on any one statement (lock waits included),
 * enforced by PostgreSQL (SQLSTATE 57014, answered as a 503). Not for migrations, which may
 * rightly run long. A client-side per-query timer (pg's query_timeout) would do the same for
 * about a quarter of a listing request's CPU, measured.
 */
export function typeormOptions(url: string, overrides: { poolSize?: number; statementTimeoutMs?: number } = {}): DataSourceOptions {
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
      ...(overrides.statementTimeoutMs ? { statement_timeout: overrides.statementTimeoutMs } : {}),
      // A host gone silent (no RST) is noticed by TCP keepalive; meanwhile the pool's wait above bounds requests.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10000,
      idleTimeoutMillis: 10000,
      application_name: 'eventline',
    },
  };
}
