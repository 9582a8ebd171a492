import { DataSource } from 'typeorm';
import { Database } from './database';
import { typeormOptions } from './typeorm-options';

// Any constant shared by all instances; serialises migrations and seeding between them.
const MIGRATION_LOCK = 727_001;

/** What to load once the schema is current (the demo, the first admin); each decides if it has work. */
export type Seed = (db: Database) => Promise<unknown>;

/** Applies pending migrations, then the seeds, holding a lock that other instances starting wait for. */
export async function prepareDatabase(url: string, seeds: Seed[] = []): Promise<void> {
  const dataSource = await new DataSource(typeormOptions(url, { poolSize: 2 })).initialize();
  const lock = dataSource.createQueryRunner();
  const db = new Database(url, { poolSize: 1 });
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'all' });
    for (const seed of seeds) await seed(db);
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  } finally {
    await lock.release();
    await dataSource.destroy();
    await db.close();
  }
}
