import { DataSource } from 'typeorm';
import { prepareDatabase } from '../src/database/prepare-database';
import { pendingSchemaChanges } from '../src/database/schema-diff';
import { typeormOptions } from '../src/database/typeorm-options';
import { databaseUrl, dropTestDatabase, withAdminClient } from './support/test-database';

describe('schema', () => {
  it('the entities match what the migrations built: migration:generate finds nothing to do', async () => {
    // Migrated in place (not copied from the template): TypeORM's metadata names its database.
    const url = databaseUrl(`eventline_test_schema_${process.pid}`);
    await withAdminClient((c) => c.query(`CREATE DATABASE eventline_test_schema_${process.pid}`));
    await prepareDatabase(url);
    const dataSource = await new DataSource(typeormOptions(url, { poolSize: 2 })).initialize();
    try {
      const changes = await pendingSchemaChanges(dataSource);
      expect(changes.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
      await dropTestDatabase(url);
    }
  });
});
