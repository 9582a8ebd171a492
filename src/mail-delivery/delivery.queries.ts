/**
 * Delivery's SQL: claiming due messages with everything needed to write them, and recording
 * each outcome. The claim scans mail_outbox_due_idx (partial: pending rows only).
 */
import type { FeedVenue } from '../calendars/calendar-feed.queries';
import type { MessageKind } from '../mail/message-kind';

export const REGISTRATION_GONE = 'the registration no longer exists';

/** A claimed message with everything needed to write it. */
export interface ClaimedMessageRow {
  orphan: false;
  id: string;
  registration_id: string;
  kind: MessageKind;
  details: Record<string, unknown> | null;
  attempts: number;
  created_at: Date;
  request_id: string | null;
  /** How long the message had been due when claimed (by the database's clock, as next_attempt_at is). */
  waited_ms: number;
  name: string;
  email: string;
  registration_status: 'confirmed' | 'waitlisted' | 'cancelled';
  session_id: string;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  venue: FeedVenue | null;
  online_url: string | null;
  sequence: number;
  session_status: 'scheduled' | 'cancelled';
  modified: Date;
  event_slug: string;
  event_title: string;
  event_summary: string | null;
  event_description: string | null;
  organizer: string | null;
}

/** A claimed message whose registration is gone: the claim has marked it failed. */
export interface OrphanMessageRow extends Pick<
  ClaimedMessageRow,
  'id' | 'registration_id' | 'kind' | 'attempts' | 'request_id' | 'waited_ms'
> {
  orphan: true;
}

export type ClaimRow = ClaimedMessageRow | OrphanMessageRow;

/**
 * Claims up to $1 due messages and makes them invisible to every other instance for a lease of
 * $2 seconds (next_attempt_at moves past the send): rows another instance is claiming right now
 * are skipped, not waited for. A claim whose instance dies is due again when its lease ends.
 * A message whose registration is gone (deleted by hand: the outbox has no foreign key) fails
 * here, so it is neither sent nor claimed again.
 */
export const CLAIM_SQL = `
  WITH due AS (
    SELECT registration_id, id, next_attempt_at AS due_at FROM mail_outbox
     WHERE status = 'pending' AND next_attempt_at <= now()
     ORDER BY next_attempt_at
     LIMIT $1
       FOR UPDATE SKIP LOCKED
  ), claimed AS (
    UPDATE mail_outbox o SET attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => $2),
           status = CASE WHEN r.id IS NULL THEN 'failed' ELSE o.status END,
           last_error = CASE WHEN r.id IS NULL THEN '${REGISTRATION_GONE}' ELSE o.last_error END
      FROM due LEFT JOIN registrations r ON r.id = due.registration_id
     WHERE o.registration_id = due.registration_id AND o.id = due.id
    RETURNING o.id, o.registration_id, o.kind, o.details, o.attempts, o.created_at, o.request_id, r.id IS NULL AS orphan,
              (extract(epoch FROM now() - due.due_at) * 1000)::float8 AS waited_ms
  )
  SELECT c.*, r.name, r.email, r.status AS registration_status,
         s.id AS session_id, s.starts_at, s.ends_at, s.timezone, COALESCE(s.venue, e.venue) AS venue, e.online_url,
         s.sequence, CASE WHEN s.status = 'cancelled' OR e.status = 'cancelled' THEN 'cancelled' ELSE 'scheduled' END AS session_status,
         greatest(s.updated_at, e.updated_at, r.cancelled_at) AS modified,
         e.slug AS event_slug, e.title AS event_title, e.summary AS event_summary, e.description AS event_description, e.organizer
    FROM claimed c
    LEFT JOIN registrations r ON r.id = c.registration_id
    LEFT JOIN sessions s ON s.id = r.session_id
    LEFT JOIN events e ON e.id = s.event_id`;

/** The extra manage tokens that this batch of mails carries (hashes only). */
export const ISSUE_TOKENS_SQL = `
  INSERT INTO mail_manage_tokens (token_hash, registration_id)
  SELECT * FROM unnest($1::bytea[], $2::uuid[])`;

/** Messages by key: $1 their registrations, $2 their ids. */
export const MARK_SENT_SQL = `
  UPDATE mail_outbox o SET status = 'sent', sent_at = now(), last_error = NULL
    FROM unnest($1::uuid[], $2::uuid[]) AS k (registration_id, id)
   WHERE o.registration_id = k.registration_id AND o.id = k.id AND o.status = 'pending'`;

/** $1 registration and $2 id: the message's key. */
export const MARK_RETRY_SQL = `
  UPDATE mail_outbox SET next_attempt_at = $3, last_error = $4 WHERE registration_id = $1 AND id = $2 AND status = 'pending'`;

export const MARK_FAILED_SQL = `
  UPDATE mail_outbox SET status = 'failed', last_error = $3 WHERE registration_id = $1 AND id = $2 AND status = 'pending'`;
