import { DataSource } from 'typeorm';
import { createInitialAdmin } from '../auth/initial-admin';
import type { AppConfig } from '../config/env.schema';
import { seedDemo } from './demo-seed';
import { typeormOptions } from './typeorm-options';

// Any constant shared by all instances; serialises migrations and seeding between them.
const MIGRATION_LOCK = 727_001;

/** Applies pending migrations, then the demo data and the first admin when configured. */
export async function prepareDatabase(url: string, config: Pick<AppConfig, 'seedDemo' | 'admin'>): Promise<void> {
  const dataSource = await new DataSource(typeormOptions(url, { poolSize: 2 })).initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'all' });
    if (config.seedDemo) await seedDemo(dataSource);
    if (config.admin) await createInitialAdmin(dataSource, config.admin);
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  } finally {
    await lock.release();
    await dataSource.destroy();
  }
}
