import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The per-client limits (rate-limiter-flexible's PostgreSQL store), shared by every instance on
 * this database. Columns in the order and types the library's upsert writes; `key` is text
 * because an account-and-address key can pass 255 characters. UNLOGGED: a counter lost in a
 * crash only resets a window, and the hot path writes no WAL for it. No index on `expire`: the
 * sweep of expired rows is a scan of a small table every few minutes, and leaving `expire`
 * unindexed keeps the upsert a HOT update.
 */
export class RateLimits1764300000000 implements MigrationInterface {
  name = 'RateLimits1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limits (
        key text PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limits`);
  }
}
