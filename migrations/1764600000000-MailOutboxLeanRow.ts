import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A cheaper outbox row, written by every registration while its session is locked:
 * - the primary key becomes (registration_id, id), so one index serves both a message's key and
 *   the staff view of a registration's messages (mail_outbox_registration_idx goes);
 * - the foreign key to registrations goes: its check ran a query per row and locked the
 *   registration just inserted. Every writer takes the id from registrations in the same
 *   transaction, and registrations are never deleted (a draft event with registrations cannot
 *   be), so it guarded nothing the service does; delivery fails a message whose registration was
 *   deleted by hand.
 * Together they were about half the row's cost in PostgreSQL (BENCHMARKS.md, 2026-11-28).
 */
export class MailOutboxLeanRow1764600000000 implements MigrationInterface {
  name = 'MailOutboxLeanRow1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_registration_id_fkey`);
    await q.query(`DROP INDEX mail_outbox_registration_idx`);
    await q.query(
      `ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_pkey, ADD CONSTRAINT mail_outbox_pkey PRIMARY KEY (registration_id, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_pkey, ADD CONSTRAINT mail_outbox_pkey PRIMARY KEY (id)`);
    await q.query(`CREATE INDEX mail_outbox_registration_idx ON mail_outbox (registration_id, created_at, id)`);
    // Messages of registrations deleted meanwhile would break the key: they go with it.
    await q.query(`DELETE FROM mail_outbox o WHERE NOT EXISTS (SELECT 1 FROM registrations r WHERE r.id = o.registration_id)`);
    await q.query(`
      ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_registration_id_fkey
        FOREIGN KEY (registration_id) REFERENCES registrations (id) ON DELETE CASCADE`);
  }
}
