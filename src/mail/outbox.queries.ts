/**
 * The outbox's SQL that changes write (in their own transactions), staff read and the hourly
 * sweep deletes; delivery's claims are in mail-delivery/. Indexes relied on:
 * mail_outbox_pkey (registration_id, id: the staff view), registrations_session_status_queue_idx (fan-out to a session's live places),
 * registrations_active_email_key (resend), sessions_event_id_starts_at_idx.
 */
import type { Queryable } from '../database/database';
import type { MessageKind } from './message-kind';

export interface OutboxMessage {
  registrationId: string;
  kind: MessageKind;
  /** Facts of the moment the message tells of (a waitlist position, who cancelled). */
  details?: Record<string, unknown>;
}

const LIVE = `r.status IN ('confirmed', 'waitlisted')`;
/** Nobody is told about a session that is over. */
const AHEAD = `s.ends_at > now()`;

/**
 * The X-Request-Id of the HTTP request whose change writes a message, kept with it so a failed
 * delivery names its cause; null for work no request caused.
 */
export type CausingRequest = string | null;

/** Writes these messages in the caller's transaction: one statement, however many. */
export async function enqueueMessages(tx: Queryable, messages: OutboxMessage[], requestId: CausingRequest): Promise<void> {
  if (messages.length === 0) return;
  await tx.query(
    `INSERT INTO mail_outbox (registration_id, kind, details, request_id)
     SELECT registration_id, kind, details, $4 FROM unnest($1::uuid[], $2::varchar[], $3::jsonb[]) AS m (registration_id, kind, details)`,
    [
      messages.map((m) => m.registrationId),
      messages.map((m) => m.kind),
      messages.map((m) => (m.details ? JSON.stringify(m.details) : null)),
      requestId,
    ],
  );
}

/** One message to every live place of a session still ahead, in one INSERT … SELECT. */
export async function enqueueForSession(tx: Queryable, sessionId: string, kind: MessageKind, requestId: CausingRequest): Promise<void> {
  await tx.query(
    `INSERT INTO mail_outbox (registration_id, kind, request_id)
     SELECT r.id, $2, $3 FROM registrations r JOIN sessions s ON s.id = r.session_id
      WHERE r.session_id = $1 AND ${LIVE} AND ${AHEAD}`,
    [sessionId, kind, requestId],
  );
}

/**
 * One message to every live place of an event's sessions still ahead: those that take the
 * event's venue (`inheriting-venue`, when it moves), or those not cancelled yet (call it before
 * cancelling them).
 */
export async function enqueueForEvent(
  tx: Queryable,
  eventId: string,
  kind: MessageKind,
  sessions: 'inheriting-venue' | 'not-cancelled',
  requestId: CausingRequest,
): Promise<void> {
  const which = sessions === 'inheriting-venue' ? `s.venue IS NULL AND s.status = 'scheduled'` : `s.status <> 'cancelled'`;
  await tx.query(
    `INSERT INTO mail_outbox (registration_id, kind, request_id)
     SELECT r.id, $2, $3 FROM sessions s JOIN registrations r ON r.session_id = s.id
      WHERE s.event_id = $1 AND ${which} AND ${LIVE} AND ${AHEAD}`,
    [eventId, kind, requestId],
  );
}

/**
 * For the registration statement itself (a data-modifying CTE), so registering gains no round
 * trip under the session's lock: the message for each row of CTE `from` (its `id`), of kind
 * `kindParam` (the registration's status), with `detailsParam` (jsonb) and `requestIdParam`.
 */
export function registrationMailCte(from: string, kindParam: string, detailsParam: string, requestIdParam: string): string {
  return `INSERT INTO mail_outbox (registration_id, kind, details, request_id)
    SELECT id, ${kindParam}::varchar, ${detailsParam}::jsonb, ${requestIdParam}::varchar FROM ${from}`;
}

/** The resend request: a manage-link message for the live place this email holds in this session, if any. */
export const ENQUEUE_RESEND_SQL = `
  INSERT INTO mail_outbox (registration_id, kind, request_id)
  SELECT r.id, 'manage-link', $3 FROM registrations r
   WHERE r.session_id = $1 AND lower(r.email) = lower($2) AND ${LIVE}`;

/**
 * The registrations a manage token opens: by the token made at registration, or by one a mail
 * carried. For `r.id IN (…)` wherever a token is looked up. `$n` is the token's hash.
 */
export function registrationIdsByTokenHash(param: string): string {
  return `SELECT id FROM registrations WHERE manage_token_hash = ${param}
          UNION ALL SELECT registration_id FROM mail_manage_tokens WHERE token_hash = ${param}`;
}

const CREATED_MS = `date_trunc('milliseconds', created_at)`;

export interface MessageRow {
  id: string;
  kind: MessageKind;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  request_id: string | null;
  created_at: Date;
  sent_at: Date | null;
  next_attempt_at: Date;
}

/**
 * One registration's messages in the order they were written, after a keyset position. Keyed on
 * the millisecond (what a cursor's ISO timestamp holds), so a page boundary never splits a
 * microsecond from its rounding.
 */
export function messagesSql(
  registrationId: string,
  after: [string, string] | undefined,
  limit: number,
): { text: string; params: unknown[] } {
  const params: unknown[] = [registrationId, limit];
  const keyset = after ? `AND (${CREATED_MS}, id) > ($3::timestamptz, $4::uuid)` : '';
  if (after) params.push(...after);
  return {
    text: `SELECT id, kind, status, attempts, last_error, request_id, created_at, sent_at, next_attempt_at
             FROM mail_outbox WHERE registration_id = $1 ${keyset}
            ORDER BY ${CREATED_MS}, id LIMIT $2`,
    params,
  };
}

/**
 * Deletes up to $2 sent or failed messages written more than $1 days ago (pending ones stay
 * until delivered). Bounded, so each statement stays far inside the statement timeout; an hourly
 * scan without an index of its own, so registering maintains no extra index.
 */
export const SWEEP_OUTBOX_SQL = `
  WITH gone AS (
    DELETE FROM mail_outbox WHERE (registration_id, id) IN (
      SELECT registration_id, id FROM mail_outbox WHERE status IN ('sent', 'failed') AND created_at < now() - make_interval(days => $1) LIMIT $2)
    RETURNING 1)
  SELECT count(*)::int AS deleted FROM gone`;
