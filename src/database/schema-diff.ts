import type { DataSource } from 'typeorm';

interface Query {
  query: string;
  parameters?: unknown[];
}

// The entities do not describe the hand-written indexes, CHECK constraints and foreign keys of
// the migrations; TypeORM's diff would drop them.
const HAND_WRITTEN_DROP = /^(DROP INDEX |ALTER TABLE "\w+" DROP (CONSTRAINT|COLUMN) |DELETE FROM "typeorm_metadata")/;

/**
 * What the entities would change in the schema (TypeORM's diff), less the statements that would
 * drop hand-written objects. Each down query undoes the up query at the same position.
 */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<{ upQueries: Query[]; downQueries: Query[]; skipped: number }> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  const keep = sql.upQueries.map((q) => !HAND_WRITTEN_DROP.test(q.query));
  return {
    upQueries: sql.upQueries.filter((_, i) => keep[i]),
    downQueries: sql.downQueries.filter((_, i) => keep[i]),
    skipped: keep.filter((k) => !k).length,
  };
}
