import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tells every service instance when something a calendar feed shows may have changed, so each
 * can keep its feeds' validators in memory and answer a polling client's 304 without a query.
 * Statement-level triggers (one NOTIFY per statement, merged per transaction); the sessions one
 * skips the seat counters, which registering updates and no feed shows.
 */
export class CalendarChangeNotify1764100000000 implements MigrationInterface {
  name = 'CalendarChangeNotify1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_calendar_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('calendar_change', '');
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER events_calendar_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION notify_calendar_change()`);
    await q.query(`
      CREATE TRIGGER sessions_calendar_change AFTER INSERT OR DELETE OR TRUNCATE ON sessions
        FOR EACH STATEMENT EXECUTE FUNCTION notify_calendar_change()`);
    await q.query(`
      CREATE TRIGGER sessions_calendar_update
        AFTER UPDATE OF event_id, starts_at, ends_at, timezone, venue, status, sequence, updated_at ON sessions
        FOR EACH STATEMENT EXECUTE FUNCTION notify_calendar_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER sessions_calendar_update ON sessions`);
    await q.query(`DROP TRIGGER sessions_calendar_change ON sessions`);
    await q.query(`DROP TRIGGER events_calendar_change ON events`);
    await q.query(`DROP FUNCTION notify_calendar_change()`);
  }
}
