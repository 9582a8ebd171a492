import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The email outbox: each row is one message to one registration, written in the same
 * transaction as the change it tells of, and delivered by whichever instance claims it.
 * - mail_outbox_due_idx (partial, pending only) is what the workers' claim scans; sent and
 *   failed rows leave it, so it stays as small as the backlog.
 * - mail_outbox_registration_idx serves the staff view of one registration's messages.
 * - next_attempt_at doubles as the lease: claiming pushes it past the send, so a claimed row whose
 *   instance died becomes due again on its own.
 * - mail_manage_tokens: the extra manage tokens that mails carry (hashes only, like
 *   registrations.manage_token_hash); each stays valid beside the original one.
 */
export class MailOutbox1764400000000 implements MigrationInterface {
  name = 'MailOutbox1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mail_outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        registration_id uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
        kind varchar(32) NOT NULL CHECK (kind IN
          ('confirmed', 'waitlisted', 'promoted', 'cancelled', 'session-updated', 'session-cancelled', 'manage-link')),
        details jsonb,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        request_id varchar(128),
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(`CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX mail_outbox_registration_idx ON mail_outbox (registration_id, created_at, id)`);
    await q.query(`
      CREATE TABLE mail_manage_tokens (
        token_hash bytea PRIMARY KEY,
        registration_id uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX mail_manage_tokens_registration_idx ON mail_manage_tokens (registration_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mail_manage_tokens`);
    await q.query(`DROP TABLE mail_outbox`);
  }
}
