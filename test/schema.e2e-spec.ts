import { DataSource } from 'typeorm';
import { prepareDatabase } from '../src/database/prepare-database';
import { typeormOptions } from '../src/database/typeorm-options';
import { createTestDatabase, databaseUrl, dropTestDatabase, withAdminClient } from './support/test-database';

/** What TypeORM's migration:generate would write to bring the database in line with the entities. */
async function pendingChanges(dataSource: DataSource): Promise<string[]> {
  const changes = await dataSource.driver.createSchemaBuilder().log();
  return changes.upQueries.map((q) => q.query);
}

/**
 * Every entity table's indexes, as declared and as built: TypeORM's diff skips indexes on
 * expressions (declared with synchronize: false) and never compares a partial index's condition,
 * so names, and whether each is partial, are compared here.
 */
async function indexes(dataSource: DataSource): Promise<{ declared: string[]; built: string[] }> {
  const declared: string[] = [];
  const built: string[] = [];
  for (const entity of dataSource.entityMetadatas) {
    const rows: { indexname: string; partial: boolean }[] = await dataSource.query(
      `SELECT indexname, indexdef LIKE '% WHERE %' AS partial FROM pg_indexes
        WHERE schemaname = current_schema() AND tablename = $1 AND indexname <> $1 || '_pkey'`,
      [entity.tableName],
    );
    // An expression index's declaration says nothing of its condition: only its name counts.
    const bySync = new Map(entity.indices.map((i) => [i.name, i.synchronize]));
    built.push(...rows.map((r) => (r.partial && bySync.get(r.indexname) !== false ? `${r.indexname} (partial)` : r.indexname)));
    declared.push(...entity.indices.map((i) => (i.where ? `${i.name} (partial)` : i.name)));
  }
  return { declared: declared.sort(), built: built.sort() };
}

describe('schema', () => {
  it('the entities match what the migrations built: migration:generate finds nothing to do', async () => {
    // Migrated in place (not copied from the template): TypeORM's metadata names its database.
    const url = databaseUrl(`eventline_test_schema_${process.pid}`);
    await withAdminClient((c) => c.query(`CREATE DATABASE eventline_test_schema_${process.pid}`));
    await prepareDatabase(url);
    const dataSource = await new DataSource(typeormOptions(url, { poolSize: 2 })).initialize();
    try {
      expect(await pendingChanges(dataSource)).toEqual([]);
      const { declared, built } = await indexes(dataSource);
      expect(built).toEqual(declared);
      expect(declared).toContain('mail_outbox_due_idx (partial)');
    } finally {
      await dataSource.destroy();
      await dropTestDatabase(url);
    }
  });

  it('covers the mail tables: a column, check, foreign key or index condition missing from them is drift', async () => {
    const url = await createTestDatabase();
    const dataSource = await new DataSource(typeormOptions(url, { poolSize: 2 })).initialize();
    try {
      await dataSource.query(`ALTER TABLE mail_outbox DROP COLUMN sent_at`);
      await dataSource.query(`ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_status_check`);
      await dataSource.query(`ALTER TABLE mail_manage_tokens DROP CONSTRAINT mail_manage_tokens_registration_id_fkey`);
      await dataSource.query(`DROP INDEX mail_outbox_due_idx`);
      await dataSource.query(`CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at)`);
      const changes = await pendingChanges(dataSource);
      expect(changes).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^ALTER TABLE "mail_outbox" ADD "sent_at" TIMESTAMP WITH TIME ZONE/),
          expect.stringMatching(/^ALTER TABLE "mail_outbox" ADD CONSTRAINT "mail_outbox_status_check" CHECK/),
          expect.stringMatching(
            /^ALTER TABLE "mail_manage_tokens" ADD CONSTRAINT "mail_manage_tokens_registration_id_fkey" FOREIGN KEY \("registration_id"\) REFERENCES "registrations"\("id"\) ON DELETE CASCADE/,
          ),
        ]),
      );
      const { declared, built } = await indexes(dataSource);
      expect(declared).toContain('mail_outbox_due_idx (partial)');
      expect(built).toContain('mail_outbox_due_idx');
    } finally {
      await dataSource.destroy();
      await dropTestDatabase(url);
    }
  });
});
