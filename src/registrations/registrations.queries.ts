import { prepared } from '../database/database';
import { SESSION_COLUMNS } from '../events/events.queries';
import { registrationIdsByTokenHash, registrationMailCte } from '../mail/outbox.queries';
import type { RegistrationStatus } from './registration.entity';

/** Every statement of registrations, in one place; rows are mapped to views in registration-row.ts. */

/**
 * One registration (alias `r`). Names that would clash with SESSION_COLUMNS (id, status) are
 * prefixed, so a registration and its session read in one query.
 */
export const REGISTRATION_COLUMNS = `
  r.id AS registration_id, r.session_id, r.name, r.email, r.status AS registration_status, r.queue_number,
  r.checked_in_at, r.promoted_at, r.cancelled_at, r.created_at`;

/**
 * 1 + the people waitlisted ahead in the same session, for single reads (index-only on
 * registrations_session_status_queue_idx). Lists number the whole waitlist once instead.
 */
const WAITLIST_POSITION = `
  CASE WHEN r.status = 'waitlisted' THEN (
    SELECT count(*)::int FROM registrations w
     WHERE w.session_id = r.session_id AND w.status = 'waitlisted' AND w.queue_number <= r.queue_number
  ) END AS waitlist_position`;

/**
 * The registration rule of registration-rules.ts (registrationOutcome) in SQL, over a row of the
 * session columns and `created_at` (the instant it is judged at), with `alreadyRegistered` a
 * boolean expression. The registration statement decides with this; registrations-rules-sql.e2e-spec
 * checks it against the rule case by case, both as REGISTRATION_OUTCOME_SQL and as the statements use it.
 * `confirmedCount` is the seats taken as this registration finds them (a batch counts those ahead).
 */
export const registrationOutcomeSql = (alreadyRegistered: string, confirmedCount = 'confirmed_count'): string => `
  CASE
    WHEN event_status = 'draft' THEN 'not-found'
    WHEN status = 'cancelled' OR event_status = 'cancelled' THEN 'cancelled'
    WHEN created_at >= ends_at THEN 'past'
    WHEN created_at >= starts_at OR created_at < registration_opens_at OR created_at >= registration_closes_at THEN 'closed'
    WHEN ${alreadyRegistered} THEN 'already-registered'
    WHEN capacity IS NULL OR ${confirmedCount} < capacity THEN 'confirmed'
    WHEN waitlist_enabled THEN 'waitlisted'
    ELSE 'sold-out'
  END`;
export const REGISTRATION_OUTCOME_SQL = registrationOutcomeSql('already_registered');

/**
 * What the registration statement asks in place of `already_registered`: `holdsPlace` only when
 * the session has no place to give, where it makes the answer already-registered, not sold-out.
 * Where there is a place the rule's answer comes out the same without it, because the insert's
 * conflict on registrations_active_email_key turns a place into already-registered. CASE and AND
 * evaluate lazily, so a registration that gets a place runs no lookup: the hot path does not
 * depend on the plan cached for it (made while the table was nearly empty, it was a sequential
 * scan of every registration, lower() on each email).
 */
export const alreadyRegisteredWhenFull = (holdsPlace: string): string =>
  `(capacity IS NOT NULL AND confirmed_count >= capacity AND NOT waitlist_enabled AND ${holdsPlace})`;
/** $1 session, $4 email. */
const EMAIL_HOLDS_PLACE = `EXISTS (
  SELECT 1 FROM registrations r
   WHERE r.session_id = $1::uuid AND lower(r.email) = lower($4::text) AND r.status IN ('confirmed', 'waitlisted'))`;

/**
 * A whole registration with an Idempotency-Key in one autocommit statement, so the session's row
 * lock (which every change to its counters and registrations takes first) is held only inside
 * PostgreSQL, never across a round trip to Node (those without a key: REGISTER_BATCH_SQL).
 * $1 session, $2 registration id, $3 name, $4 email, $5 manage token hash, $6 key hash,
 * $7 request hash, $8 the answer's request part sealed (registration-answer.ts), $9 request id.
 * - `stored`: a key already answered is replayed without taking the lock.
 * - `locked` waits for the lock and reads the session's newest row (READ COMMITTED re-reads a row
 *   it had to wait for); `judged` stamps the instant after the wait; `decided` applies the rule.
 * - Whether the email already holds a place is asked of registrations_active_email_key by the
 *   insert itself: a conflict turns it into nothing and the outcome into already-registered,
 *   also for a twin that committed while this waited (not in the statement's snapshot). Only
 *   when there is no place to give does `decided` look the email up (alreadyRegisteredWhenFull).
 * - The key row stores the request part and the facts decided here (`answered.facts`), from which
 *   answerBody rebuilds the same body; only a placed registration stores one. A twin with this key
 *   that committed meanwhile makes the key insert fail (23505): the whole statement is undone.
 * - `mailed` (email outbox): the confirmation or waitlist message, in this same statement.
 */
export const REGISTER_SQL = prepared(
  'registration-register',
  `
  WITH stored AS (
    SELECT request_hash, response_status, response_body, response_facts FROM idempotency_keys WHERE key_hash = $6::bytea
  ), locked AS MATERIALIZED (
    SELECT ${SESSION_COLUMNS}
    FROM sessions s JOIN events e ON e.id = s.event_id
    WHERE s.id = $1::uuid AND NOT EXISTS (SELECT 1 FROM stored)
    FOR UPDATE OF s
  ), judged AS MATERIALIZED (
    SELECT *, date_trunc('milliseconds', clock_timestamp()) AS created_at FROM locked
  ), decided AS MATERIALIZED (
    SELECT *, ${registrationOutcomeSql(alreadyRegisteredWhenFull(EMAIL_HOLDS_PLACE))} AS outcome FROM judged
  ), inserted AS (
    INSERT INTO registrations (id, session_id, name, email, status, manage_token_hash, created_at)
    SELECT $2::uuid, $1::uuid, $3::text, $4::text, outcome, $5::bytea, created_at FROM decided WHERE outcome IN ('confirmed', 'waitlisted')
    ON CONFLICT (session_id, lower(email)) WHERE status IN ('confirmed', 'waitlisted') DO NOTHING
    RETURNING id, status
  ), counted AS (
    UPDATE sessions SET confirmed_count = confirmed_count + (i.status = 'confirmed')::int,
                        waitlisted_count = waitlisted_count + (i.status = 'waitlisted')::int
      FROM inserted i WHERE sessions.id = $1::uuid
  ), answered AS (
    SELECT i.id, i.status,
           to_jsonb(d) - 'outcome' || jsonb_build_object(
             'confirmed_count', d.confirmed_count + (i.status = 'confirmed')::int,
             'waitlisted_count', d.waitlisted_count + (i.status = 'waitlisted')::int,
             'registration_status', i.status,
             'waitlist_position', p.position) AS facts,
           CASE WHEN i.status = 'waitlisted' THEN jsonb_build_object('position', p.position) END AS details
      FROM inserted i CROSS JOIN decided d
      -- Inserted last under the lock, so everyone else waitlisted is ahead: no gaps, FCFS.
      CROSS JOIN LATERAL (SELECT CASE WHEN i.status = 'waitlisted' THEN d.waitlisted_count + 1 END AS position) p
  ), keyed AS (
    INSERT INTO idempotency_keys (key_hash, request_hash, response_status, response_body, response_facts)
    SELECT $6::bytea, $7::bytea, 201, $8::bytea, facts FROM answered WHERE $6::bytea IS NOT NULL
  ), mailed AS (
    ${registrationMailCte('answered', 'status', 'details', '$9')}
  )
  SELECT CASE WHEN st.request_hash IS NOT NULL THEN 'stored'
              WHEN a.id IS NOT NULL THEN a.status
              WHEN d.outcome IN ('confirmed', 'waitlisted') THEN 'already-registered'
              ELSE coalesce(d.outcome, 'not-found') END AS outcome,
         coalesce(a.facts, st.response_facts) AS facts,
         st.request_hash, st.response_status, st.response_body
    FROM (VALUES (1)) AS one (n)
    LEFT JOIN decided d ON true LEFT JOIN answered a ON true LEFT JOIN stored st ON true`,
);

/** $1 session; for `i` an item of the batch. */
const ITEM_EMAIL_HOLDS_PLACE = `EXISTS (
  SELECT 1 FROM registrations r
   WHERE r.session_id = $1::uuid AND lower(r.email) = lower(i.email) AND r.status IN ('confirmed', 'waitlisted'))`;

/**
 * Registrations without an Idempotency-Key for one session, many in one autocommit statement:
 * the session's lock is taken, and the transaction committed, once per batch. The same rule as
 * REGISTER_SQL, judged for each item in arrival order ($1 session; arrays of $2 registration ids,
 * $3 names, $4 emails, $5 manage token hashes, $6 request ids):
 * - `checked`: an email already in the batch is already-registered; whether one holds a place
 *   here is looked up only when the batch may not all fit (as REGISTER_SQL asks only when full),
 *   since with a seat for everyone the insert's conflict answers it.
 * - `decided`: each item finds the seats taken by the items placeable ahead of it.
 * - The insert's conflict still guards the email: one that comes out `conflicted` although the
 *   lookup saw no place was a twin that committed while this waited for the lock. The items
 *   behind it were judged as if it took a place, so the service then promotes or judges again.
 * - Counts, waitlist positions and each answer's facts are as they stood after that item.
 */
export const REGISTER_BATCH_SQL = prepared(
  'registration-register-batch',
  `
  WITH input AS (
    SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::bytea[], $6::varchar[])
      WITH ORDINALITY AS i (registration_id, name, email, token_hash, request_id, n)
  ), locked AS MATERIALIZED (
    SELECT ${SESSION_COLUMNS}
    FROM sessions s JOIN events e ON e.id = s.event_id
    WHERE s.id = $1::uuid
    FOR UPDATE OF s
  ), judged AS MATERIALIZED (
    SELECT *, date_trunc('milliseconds', clock_timestamp()) AS created_at FROM locked
  ), checked AS MATERIALIZED (
    SELECT i.*, j.*,
           row_number() OVER (PARTITION BY lower(i.email) ORDER BY i.n) > 1
           OR CASE WHEN j.capacity IS NOT NULL AND j.confirmed_count + cardinality($2::uuid[]) > j.capacity
                   THEN ${ITEM_EMAIL_HOLDS_PLACE} ELSE false END AS registered
      FROM input i CROSS JOIN judged j
  ), decided AS MATERIALIZED (
    SELECT *, ${registrationOutcomeSql('registered', 'confirmed_count + ahead')} AS outcome
      FROM (SELECT *, count(*) FILTER (WHERE NOT registered) OVER (ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS ahead
              FROM checked) c
  ), inserted AS (
    INSERT INTO registrations (id, session_id, name, email, status, manage_token_hash, created_at)
    SELECT registration_id, $1::uuid, name, email, outcome, token_hash, created_at
      FROM decided WHERE outcome IN ('confirmed', 'waitlisted') ORDER BY n
    ON CONFLICT (session_id, lower(email)) WHERE status IN ('confirmed', 'waitlisted') DO NOTHING
    RETURNING id, status
  ), counted AS (
    UPDATE sessions SET confirmed_count = confirmed_count + c.confirmed, waitlisted_count = waitlisted_count + c.waitlisted
      FROM (SELECT count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
                   count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted FROM inserted) c
     WHERE sessions.id = $1::uuid AND c.confirmed + c.waitlisted > 0
  ), placed AS (
    SELECT d.n, i.id, i.status, d.request_id,
           sum((i.status = 'confirmed')::int) OVER upto AS confirmed_upto,
           sum((i.status = 'waitlisted')::int) OVER upto AS waitlisted_upto
      FROM inserted i JOIN decided d ON d.registration_id = i.id
    WINDOW upto AS (ORDER BY d.n)
  ), answered AS (
    SELECT p.n, p.id, p.status, p.request_id,
           to_jsonb(j) || jsonb_build_object(
             'confirmed_count', j.confirmed_count + p.confirmed_upto,
             'waitlisted_count', j.waitlisted_count + p.waitlisted_upto,
             'registration_status', p.status,
             'waitlist_position', w.position) AS facts,
           CASE WHEN p.status = 'waitlisted' THEN jsonb_build_object('position', w.position) END AS details
      FROM placed p CROSS JOIN judged j
      -- Inserted in arrival order, last under the lock: everyone waitlisted before is ahead.
      CROSS JOIN LATERAL (SELECT CASE WHEN p.status = 'waitlisted' THEN j.waitlisted_count + p.waitlisted_upto END AS position) w
  ), mailed AS (
    ${registrationMailCte('answered', 'status', 'details', 'request_id')}
  )
  SELECT i.n::int,
         CASE WHEN a.id IS NOT NULL THEN a.status
              WHEN d.outcome IN ('confirmed', 'waitlisted') THEN 'already-registered'
              ELSE coalesce(d.outcome, 'not-found') END AS outcome,
         a.facts,
         (a.id IS NULL AND coalesce(d.outcome IN ('confirmed', 'waitlisted'), false)) AS conflicted
    FROM input i LEFT JOIN decided d ON d.n = i.n LEFT JOIN answered a ON a.n = i.n
   ORDER BY i.n`,
);

/** The registration of token hash $1: the token made at registration, or one that a mail carried. */
export const BY_TOKEN = `r.id IN (${registrationIdsByTokenHash('$1')})`;

/** A registration with its session, by `where` over `r` ($1). */
export const MANAGED_SQL = (where: string): string => `
  SELECT ${REGISTRATION_COLUMNS}, ${WAITLIST_POSITION}, ${SESSION_COLUMNS}
  FROM registrations r JOIN sessions s ON s.id = r.session_id JOIN events e ON e.id = s.event_id
  WHERE ${where}`;

export const FIND_FOR_CANCEL_SQL = (where: string): string => `SELECT r.id, r.session_id FROM registrations r WHERE ${where}`;
export const LOCK_SESSION_ROW_SQL = `SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE`;
export const LOCK_REGISTRATION_SQL = `SELECT status FROM registrations WHERE id = $1 FOR UPDATE`;
export const CANCEL_SQL = `UPDATE registrations SET status = 'cancelled', cancelled_at = now(), updated_at = now() WHERE id = $1`;
/** $2: the status the registration had; its counter goes down by one. */
export const UNCOUNT_SQL = `
  UPDATE sessions SET confirmed_count = confirmed_count - ($2::varchar = 'confirmed')::int,
                      waitlisted_count = waitlisted_count - ($2::varchar = 'waitlisted')::int
   WHERE id = $1`;

export const SESSION_COUNTS_SQL = `SELECT capacity, confirmed_count, waitlisted_count FROM sessions WHERE id = $1`;
/** Moves the first $2 waitlisted (by queue_number: first come, first served) into seats; gives their ids. */
export const PROMOTE_SQL = `
  WITH next AS (
    SELECT id FROM registrations WHERE session_id = $1 AND status = 'waitlisted' ORDER BY queue_number LIMIT $2
  ), promoted AS (
    UPDATE registrations r SET status = 'confirmed', promoted_at = now(), updated_at = now()
      FROM next WHERE r.id = next.id RETURNING r.id
  ), counted AS (
    UPDATE sessions SET confirmed_count = confirmed_count + (SELECT count(*) FROM promoted),
                        waitlisted_count = waitlisted_count - (SELECT count(*) FROM promoted)
     WHERE id = $1
  )
  SELECT coalesce(array_agg(id::text), '{}') AS promoted FROM promoted`;

export const CHECK_IN_SQL = `
  UPDATE registrations r SET checked_in_at = now(), updated_at = now()
   WHERE r.id = $1 AND r.status = 'confirmed' AND r.checked_in_at IS NULL
  RETURNING ${REGISTRATION_COLUMNS}, NULL::int AS waitlist_position`;
export const CHECK_IN_STATE_SQL = `SELECT status, checked_in_at FROM registrations WHERE id = $1`;
export const SESSION_EXISTS_SQL = `SELECT 1 FROM sessions WHERE id = $1`;

export const STORED_RESPONSE_SQL = prepared(
  'idempotency-stored-response',
  `SELECT request_hash, response_status, response_body, response_facts FROM idempotency_keys WHERE key_hash = $1`,
);
/** Uses idempotency_keys_created_at_idx. */
export const SWEEP_KEYS_SQL = `
  WITH gone AS (DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1) RETURNING 1)
  SELECT count(*)::int AS deleted FROM gone`;

export interface ListFilter {
  status?: RegistrationStatus;
  q?: string;
}

/** A substring search for ILIKE with a backslash escape: `%`, `_` and `\` typed by staff are literal. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, '\\$&')}%`;
}

/**
 * Registrations of one session in queue_number order (registrations_session_queue_idx), after a
 * keyset position. The waitlist is numbered once per query with a window function
 * (registrations_session_status_queue_idx) rather than counted per row.
 */
export function listSql(
  sessionId: string,
  f: ListFilter,
  afterQueueNumber: string | undefined,
  limit: number,
): { text: string; params: unknown[] } {
  const params: unknown[] = [sessionId];
  const where = ['r.session_id = $1'];
  const param = (value: unknown): string => `$${params.push(value)}`;
  if (f.status) where.push(`r.status = ${param(f.status)}`);
  if (f.q) {
    const p = param(likePattern(f.q));
    where.push(`(r.name ILIKE ${p} ESCAPE '\\' OR r.email ILIKE ${p} ESCAPE '\\')`);
  }
  if (afterQueueNumber !== undefined) where.push(`r.queue_number > ${param(afterQueueNumber)}::bigint`);
  const text = `
    WITH waitlist AS (
      SELECT id, row_number() OVER (ORDER BY queue_number)::int AS position
        FROM registrations WHERE session_id = $1 AND status = 'waitlisted'
    )
    SELECT ${REGISTRATION_COLUMNS}, w.position AS waitlist_position
      FROM registrations r LEFT JOIN waitlist w ON w.id = r.id
     WHERE ${where.join(' AND ')}
     ORDER BY r.queue_number
     LIMIT ${param(limit)}`;
  return { text, params };
}
