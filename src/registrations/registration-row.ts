import { SessionRow, toSessionView } from '../events/session-row';
import type { ManagedRegistrationView, RegistrationLinksView, RegistrationView } from './dto/views';
import type { RegistrationStatus } from './registration.entity';

/**
 * One row of REGISTRATION_COLUMNS (alias `r`). Names that would clash with SESSION_COLUMNS
 * (id, status) are prefixed, so a registration and its session read in one query.
 */
export interface RegistrationRow {
  registration_id: string;
  session_id: string;
  name: string;
  email: string;
  registration_status: RegistrationStatus;
  /** bigint, as a string: the FCFS order and the staff list's keyset. */
  queue_number: string;
  waitlist_position: number | null;
  checked_in_at: Date | null;
  promoted_at: Date | null;
  cancelled_at: Date | null;
  created_at: Date;
}

export const REGISTRATION_COLUMNS = `
  r.id AS registration_id, r.session_id, r.name, r.email, r.status AS registration_status, r.queue_number,
  r.checked_in_at, r.promoted_at, r.cancelled_at, r.created_at`;

/**
 * 1 + the people waitlisted ahead in the same session, for single reads (index-only on
 * registrations_session_status_queue_idx). Lists number the whole waitlist once instead.
 */
export const WAITLIST_POSITION = `
  CASE WHEN r.status = 'waitlisted' THEN (
    SELECT count(*)::int FROM registrations w
     WHERE w.session_id = r.session_id AND w.status = 'waitlisted' AND w.queue_number <= r.queue_number
  ) END AS waitlist_position`;

/** A substring search for ILIKE with a backslash escape: `%`, `_` and `\` typed by staff are literal, not wildcards. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, '\\$&')}%`;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toRegistrationView(r: RegistrationRow): RegistrationView {
  return {
    id: r.registration_id,
    sessionId: r.session_id,
    status: r.registration_status,
    waitlistPosition: r.waitlist_position,
    name: r.name,
    email: r.email,
    checkedInAt: iso(r.checked_in_at),
    promotedAt: iso(r.promoted_at),
    createdAt: r.created_at.toISOString(),
    cancelledAt: iso(r.cancelled_at),
  };
}

export function registrationLinks(baseUrl: string, token: string): RegistrationLinksView {
  const manage = `${baseUrl}/registrations/${token}`;
  return { manage, ics: `${manage}/calendar.ics` };
}

/** The attendee's view; `token` is the one they presented (or were just given), never read back. */
export function toManagedView(
  r: Omit<RegistrationRow, 'queue_number'> & SessionRow,
  token: string,
  baseUrl: string,
  now: Date,
): ManagedRegistrationView {
  return {
    id: r.registration_id,
    status: r.registration_status,
    waitlistPosition: r.waitlist_position,
    name: r.name,
    email: r.email,
    session: toSessionView(r, baseUrl, now),
    checkedInAt: iso(r.checked_in_at),
    createdAt: r.created_at.toISOString(),
    cancelledAt: iso(r.cancelled_at),
    links: registrationLinks(baseUrl, token),
  };
}
