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

// Locks the session row (every change to its counters and registrations takes this lock first)
// and checks the email with registrations_active_email_key in the same round trip.
export const LOCK_SESSION_SQL = prepared(
  'registration-lock-session',
  `
  SELECT ${SESSION_COLUMNS},
    EXISTS (
      SELECT 1 FROM registrations r
       WHERE r.session_id = s.id AND lower(r.email) = lower($2) AND r.status IN ('confirmed', 'waitlisted')
    ) AS already_registered
  FROM sessions s JOIN events e ON e.id = s.event_id
  WHERE s.id = $1
  FOR UPDATE OF s`,
);

// Claims the Idempotency-Key with its answer, inserts and counts, in one round trip.
// - Without a key ($8 null) the `keyed` step inserts nothing and does not gate the rest.
// - A key already taken (a twin committed first) inserts nothing more: `keyed` is 0; a twin still
//   running blocks this INSERT on the primary key until it ends.
// - A twin email that committed after LOCK_SESSION_SQL's snapshot is caught by the partial unique
//   index: `counted` is 0 and the caller rolls everything back (the key row with it).
// - `mailed` (email outbox): the confirmation or waitlist message, in this same statement.
export const INSERT_SQL = prepared(
  'registration-insert',
  `
  WITH keyed AS (
    INSERT INTO idempotency_keys (key_hash, request_hash, response_status, response_body)
    SELECT $8, $9, 201, $10 WHERE $8::bytea IS NOT NULL
    ON CONFLICT (key_hash) DO NOTHING
    RETURNING 1
  ), inserted AS (
    INSERT INTO registrations (id, session_id, name, email, status, manage_token_hash, created_at)
    SELECT $1, $2, $3, $4, $5::varchar, $6, $7
     WHERE $8::bytea IS NULL OR EXISTS (SELECT 1 FROM keyed)
    ON CONFLICT (session_id, lower(email)) WHERE status IN ('confirmed', 'waitlisted') DO NOTHING
    RETURNING id
  ), counted AS (
    UPDATE sessions
       SET confirmed_count = confirmed_count + ($5::varchar = 'confirmed')::int,
           waitlisted_count = waitlisted_count + ($5::varchar = 'waitlisted')::int
     WHERE id = $2 AND EXISTS (SELECT 1 FROM inserted)
    RETURNING 1
  ), mailed AS (
    ${registrationMailCte('inserted', '$5', '$11', '$12')}
  )
  SELECT (SELECT count(*) FROM keyed)::int AS keyed, (SELECT count(*) FROM counted)::int AS counted`,
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
  `SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE key_hash = $1`,
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
