import { DataSource } from 'typeorm';
import { createInitialAdmin } from '../auth/initial-admin';
import { StaffUserEntity } from '../auth/staff-user.entity';
import type { AppConfig } from '../config/env.schema';
import { seedDemo } from './demo-seed';
import { typeormOptions } from './typeorm-options';

// Any constant shared by all instances; serialises migrations and seeding between them.
const MIGRATION_LOCK = 727_001;

/** What a start found and did, for the lines a person reads at start-up. */
export interface Prepared {
  /** `off`: SEED_DEMO is false; `present`: there were events, so nothing was loaded. */
  demo: 'loaded' | 'present' | 'off';
  /** `unset`: no ADMIN_EMAIL; `ignored`: staff users exist, so it was not created. */
  admin: 'created' | 'ignored' | 'unset';
  staffUsers: number;
}

/** Applies pending migrations, then the demo data and the first admin when configured. */
export async function prepareDatabase(url: string, config: Pick<AppConfig, 'seedDemo' | 'admin'>): Promise<Prepared> {
  const dataSource = await new DataSource(typeormOptions(url, { poolSize: 2 })).initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'all' });
    const demo = !config.seedDemo ? 'off' : (await seedDemo(dataSource)) ? 'loaded' : 'present';
    const admin = !config.admin ? 'unset' : (await createInitialAdmin(dataSource, config.admin)) ? 'created' : 'ignored';
    const staffUsers = await dataSource.getRepository(StaffUserEntity).count();
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    return { demo, admin, staffUsers };
  } finally {
    await lock.release();
    await dataSource.destroy();
  }
}
