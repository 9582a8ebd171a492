import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A registration is one statement that holds the session's lock only inside PostgreSQL, so the
 * answer to store for its Idempotency-Key can no longer be built (and sealed) in Node under the
 * lock. The key row keeps two parts instead: `response_body`, the part Node knows beforehand
 * (the manage token among it), sealed as before; and `response_facts`, what the statement decided
 * under the lock (status, position, the session row and counts, the instant), which holds no secret.
 * Rows written before this keep the whole sealed answer in `response_body` and no facts.
 */
export class IdempotencyAnswerFacts1764500000000 implements MigrationInterface {
  name = 'IdempotencyAnswerFacts1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN response_facts jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN response_facts`);
  }
}
