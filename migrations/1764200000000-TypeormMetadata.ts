import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The table TypeORM's schema diff reads (`npm run migration:generate`), with the one fact it
 * needs from it: the expression of the generated full-text column `events.search`.
 */
const SEARCH_EXPRESSION =
  "setweight(to_tsvector('english', coalesce(title, '')), 'A') || " +
  "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || " +
  "setweight(to_tsvector('english', coalesce(description, '')), 'C')";

export class TypeormMetadata1764200000000 implements MigrationInterface {
  name = 'TypeormMetadata1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS typeorm_metadata (
        "type" varchar NOT NULL,
        "database" varchar,
        "schema" varchar,
        "table" varchar,
        "name" varchar,
        "value" text
      )`);
    await q.query(
      `INSERT INTO typeorm_metadata ("type", "database", "schema", "table", "name", "value")
       VALUES ('GENERATED_COLUMN', current_database(), current_schema(), 'events', 'search', $1)`,
      [SEARCH_EXPRESSION],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS typeorm_metadata`);
  }
}
