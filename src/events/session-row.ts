import { availabilityOf, AvailabilityInput } from './availability';
import type { Venue } from './event.entity';
import type { SessionView } from './dto/views';
import { sessionLinks } from './links';

/** One row of SESSION_COLUMNS: everything a session's JSON and its availability need, in one read. */
export interface SessionRow {
  id: string;
  event_id: string;
  event_slug: string;
  event_title: string;
  event_organizer: string | null;
  event_status: 'draft' | 'published' | 'cancelled';
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  venue: Venue | null;
  capacity: number | null;
  waitlist_enabled: boolean;
  registration_opens_at: Date | null;
  registration_closes_at: Date | null;
  status: 'scheduled' | 'cancelled';
  sequence: number;
  confirmed_count: number;
  waitlisted_count: number;
  cursor_ts: string;
}

/** Session columns joined with its event (`s` and `e`); counts come from the session row, no per-row queries. */
export const SESSION_COLUMNS = `
  s.id, s.event_id, e.slug AS event_slug, e.title AS event_title, e.organizer AS event_organizer, e.status AS event_status,
  s.starts_at, s.ends_at, s.timezone, COALESCE(s.venue, e.venue) AS venue, s.capacity, s.waitlist_enabled,
  s.registration_opens_at, s.registration_closes_at, s.status, s.sequence, s.confirmed_count, s.waitlisted_count,
  to_char(s.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_ts`;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toSessionView(r: SessionRow, baseUrl: string, now: Date): SessionView {
  return {
    id: r.id,
    eventId: r.event_id,
    event: { id: r.event_id, slug: r.event_slug, title: r.event_title, organizer: r.event_organizer },
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at.toISOString(),
    timezone: r.timezone,
    venue: r.venue,
    capacity: r.capacity,
    waitlistEnabled: r.waitlist_enabled,
    registrationOpensAt: iso(r.registration_opens_at),
    registrationClosesAt: iso(r.registration_closes_at),
    status: r.event_status === 'cancelled' ? 'cancelled' : r.status,
    sequence: r.sequence,
    availability: availabilityOf(availabilityInputOf(r), now),
    links: sessionLinks(baseUrl, {
      id: r.id,
      title: r.event_title,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      timezone: r.timezone,
      venue: r.venue,
      details: `${baseUrl}/e/${r.event_slug}`,
    }),
  };
}

/** The availability rules' view of a session row (also used to re-check a locked row before registering). */
export function availabilityInputOf(r: SessionRow): AvailabilityInput {
  return {
    status: r.status,
    eventStatus: r.event_status,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    capacity: r.capacity,
    waitlistEnabled: r.waitlist_enabled,
    registrationOpensAt: r.registration_opens_at,
    registrationClosesAt: r.registration_closes_at,
    confirmedCount: r.confirmed_count,
    waitlistedCount: r.waitlisted_count,
  };
}
