import { DataSource } from 'typeorm';
import { prepareDatabase } from '../src/database/prepare-database';
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
      const changes = await dataSource.driver.createSchemaBuilder().log();
      expect(changes.upQueries.map((q) => q.query)).toEqual([]);
      // Indexes on expressions (lower(email)) are declared with synchronize: false, which TypeORM's
      // diff skips: their names are compared here, so none can go missing on either side.
      for (const entity of dataSource.entityMetadatas) {
        const rows: { indexname: string }[] = await dataSource.query(
          `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 AND indexname <> $1 || '_pkey'`,
          [entity.tableName],
        );
        expect(rows.map((r) => r.indexname).sort()).toEqual(entity.indices.map((i) => i.name).sort());
      }
    } finally {
      await dataSource.destroy();
      await dropTestDatabase(url);
    }
  });
});
