import { DataSource } from 'typeorm';
import { Database } from './database';
import { typeormOptions } from './typeorm-options';

// Any constant shared by all instances; serialises migrations and seeding between them.
const MIGRATION_LOCK = 727_001;

/**
 * Applies pending migrations, then `seed` (the demo, the first admin: the caller's choice), holding
 * a lock that other instances starting at once wait for. Gives what `seed` gives.
 */
export async function prepareDatabase(url: string): Promise<void>;
export async function prepareDatabase<T>(url: string, seed: (db: Database) => Promise<T>): Promise<T>;
export async function prepareDatabase<T>(url: string, seed?: (db: Database) => Promise<T>): Promise<T | undefined> {
  const dataSource = await new DataSource(typeormOptions(url, { poolSize: 2 })).initialize();
  const lock = dataSource.createQueryRunner();
  const db = new Database(url, { poolSize: 1 });
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'all' });
    const seeded = seed ? await seed(db) : undefined;
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    return seeded;
  } finally {
    await lock.release();
    await dataSource.destroy();
    await db.close();
  }
}
