import { availabilityOf, AvailabilityInput, combineAvailability } from './availability';
import type { EventStatus, Venue } from './event.entity';
import type { EventView, SessionView } from './dto/views';
import { eventLinks, sessionLinks } from './links';
import type { SessionStatus } from './session.entity';

/** Rows of events.queries.ts and their views: the one place columns become JSON. */

/** One row of SESSION_COLUMNS (events.queries.ts): everything a session's JSON and its availability need. */
export interface SessionRow {
  id: string;
  event_id: string;
  event_slug: string;
  event_title: string;
  event_organizer: string | null;
  event_status: EventStatus;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  venue: Venue | null;
  capacity: number | null;
  waitlist_enabled: boolean;
  registration_opens_at: Date | null;
  registration_closes_at: Date | null;
  status: SessionStatus;
  sequence: number;
  confirmed_count: number;
  waitlisted_count: number;
  cursor_ts: string;
}

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

export interface EventRow {
  id: string;
  slug: string;
  title: string;
  summary: string | null;
  description: string | null;
  organizer: string | null;
  category: string | null;
  tags: string[];
  venue: Venue | null;
  online_url: string | null;
  timezone: string;
  status: EventStatus;
  created_at: Date;
  updated_at: Date;
  cursor_ts?: string;
  /** Single reads: how many sessions the event has in all. */
  session_count?: number;
}

/** The sessions an event view shows, and how many there are in all (in a listing: in range). */
export interface ShownSessions {
  sessions: SessionView[];
  count: number;
}

export function toEventView(r: EventRow, { sessions, count }: ShownSessions, baseUrl: string): EventView {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    summary: r.summary,
    description: r.description,
    organizer: r.organizer,
    category: r.category,
    tags: r.tags,
    venue: r.venue,
    onlineUrl: r.online_url,
    timezone: r.timezone,
    status: r.status,
    sessions,
    sessionCount: count,
    availability: combineAvailability(sessions.map((s) => s.availability)),
    links: eventLinks(baseUrl, r),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** An event as staff change it (LOCK_EVENT_SQL). */
export type EventRecord = Pick<
  EventRow,
  'id' | 'title' | 'summary' | 'description' | 'organizer' | 'category' | 'tags' | 'venue' | 'online_url' | 'timezone' | 'status'
>;

/** A session as staff change it (LOCK_SESSION_SQL). */
export interface SessionRecord {
  id: string;
  eventId: string;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  venue: Venue | null;
  capacity: number | null;
  waitlistEnabled: boolean;
  registrationOpensAt: Date | null;
  registrationClosesAt: Date | null;
  status: SessionStatus;
  sequence: number;
  confirmedCount: number;
}
