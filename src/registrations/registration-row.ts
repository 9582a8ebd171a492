import { SessionRow, toSessionView } from '../events/rows';
import type { ManagedRegistrationView, RegistrationLinksView, RegistrationView } from './dto/views';
import type { RegistrationStatus } from './registration.entity';

/** One row of REGISTRATION_COLUMNS; the mappers below are the only place its columns become views. */
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
