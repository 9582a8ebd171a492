import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A staff user can be disabled (a leaked or departed account): set, it refuses logins and every
 * token of the user. A time rather than a flag, so staff can see since when.
 */
export class StaffUserDisabled1764340000000 implements MigrationInterface {
  name = 'StaffUserDisabled1764340000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE staff_users ADD COLUMN disabled_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE staff_users DROP COLUMN disabled_at`);
  }
}
