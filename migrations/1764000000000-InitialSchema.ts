import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole initial schema. Hand-written: partial and expression indexes and the generated
 * full-text column are things the entity metadata cannot express.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE staff_users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(254) NOT NULL,
        password_hash text NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('admin', 'editor', 'checkin')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX staff_users_email_key ON staff_users (lower(email))`);

    await q.query(`
      CREATE TABLE staff_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX staff_tokens_token_hash_key ON staff_tokens (token_hash)`);
    await q.query(`CREATE INDEX staff_tokens_user_id_idx ON staff_tokens (user_id)`);

    await q.query(`
      CREATE TABLE events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug varchar(120) NOT NULL,
        title varchar(200) NOT NULL,
        summary varchar(500),
        description text,
        organizer varchar(200),
        category varchar(64),
        tags text[] NOT NULL DEFAULT '{}',
        venue jsonb,
        online_url varchar(2048),
        timezone varchar(64) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
        search tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
          setweight(to_tsvector('english', coalesce(summary, '')), 'B') ||
          setweight(to_tsvector('english', coalesce(description, '')), 'C')
        ) STORED,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX events_slug_key ON events (slug)`);
    await q.query(`CREATE INDEX events_search_idx ON events USING gin (search)`);
    await q.query(`CREATE INDEX events_category_idx ON events (lower(category))`);

    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        timezone varchar(64) NOT NULL,
        venue jsonb,
        capacity integer CHECK (capacity IS NULL OR capacity >= 0),
        waitlist_enabled boolean NOT NULL DEFAULT false,
        registration_opens_at timestamptz,
        registration_closes_at timestamptz,
        status varchar(16) NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
        sequence integer NOT NULL DEFAULT 0,
        confirmed_count integer NOT NULL DEFAULT 0 CHECK (confirmed_count >= 0),
        waitlisted_count integer NOT NULL DEFAULT 0 CHECK (waitlisted_count >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT sessions_ends_after_start CHECK (ends_at > starts_at),
        -- The last line of defence against overselling: the database itself refuses it.
        CONSTRAINT sessions_capacity_not_exceeded CHECK (capacity IS NULL OR confirmed_count <= capacity)
      )`);
    // Public listing: ORDER BY starts_at, id with a keyset cursor.
    await q.query(`CREATE INDEX sessions_starts_at_id_idx ON sessions (starts_at, id)`);
    await q.query(`CREATE INDEX sessions_event_id_starts_at_idx ON sessions (event_id, starts_at, id)`);

    await q.query(`
      CREATE TABLE registrations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        email varchar(254) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
        queue_number bigint GENERATED ALWAYS AS IDENTITY,
        manage_token_hash bytea NOT NULL,
        checked_in_at timestamptz,
        promoted_at timestamptz,
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One live place per email and session, whatever the races.
    await q.query(`
      CREATE UNIQUE INDEX registrations_active_email_key ON registrations (session_id, lower(email))
        WHERE status IN ('confirmed', 'waitlisted')`);
    await q.query(`CREATE UNIQUE INDEX registrations_manage_token_hash_key ON registrations (manage_token_hash)`);
    // Waitlist order and promotion: first waitlisted by queue_number.
    await q.query(`CREATE INDEX registrations_session_status_queue_idx ON registrations (session_id, status, queue_number)`);
    // Staff list keyset: ORDER BY queue_number within a session.
    await q.query(`CREATE INDEX registrations_session_queue_idx ON registrations (session_id, queue_number)`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        key_hash bytea PRIMARY KEY,
        request_hash bytea NOT NULL,
        response_status smallint,
        response_body bytea,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE registrations`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE events`);
    await q.query(`DROP TABLE staff_tokens`);
    await q.query(`DROP TABLE staff_users`);
  }
}
