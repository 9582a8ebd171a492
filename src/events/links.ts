import type { Venue } from './event.entity';

/** Absolute links for JSON and feeds, all built from PUBLIC_BASE_URL. */
export function webcalOf(httpUrl: string): string {
  return httpUrl.replace(/^https?:\/\//i, 'webcal://');
}

/** Google Calendar's "From URL" subscription to a feed. */
export function googleSubscribeOf(httpUrl: string): string {
  return `https://calendar.google.com/calendar/r?cid=${encodeURIComponent(webcalOf(httpUrl))}`;
}

export interface GoogleEventInput {
  title: string;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  venue: Venue | null;
  details?: string;
}

/** Google's compact UTC form, `20270801T170000Z`, cut from `2027-08-01T17:00:00.000Z` (dates are years 1970..9999). */
function googleInstant(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** The one venue line a calendar shows: its parts that are set, comma-separated. */
export function venueLine(venue: Partial<Record<keyof Venue, string | null>> | null): string {
  if (!venue) return '';
  return [venue.name, venue.address, venue.city, venue.region, venue.postalCode, venue.country].filter(Boolean).join(', ');
}

/** "Add to Google Calendar": one event copied into the calendar (not a subscription). */
export function googleEventOf(input: GoogleEventInput): string {
  const params = new URLSearchParams({
    action: 'TEMPLATE',
    text: input.title,
    dates: `${googleInstant(input.startsAt)}/${googleInstant(input.endsAt)}`,
    ctz: input.timezone,
  });
  const location = venueLine(input.venue);
  if (location) params.set('location', location);
  if (input.details) params.set('details', input.details);
  return `https://calendar.google.com/calendar/render?${params.toString()}`;
}

export function sessionLinks(baseUrl: string, session: { id: string } & GoogleEventInput) {
  const ics = `${baseUrl}/sessions/${session.id}/calendar.ics`;
  return { register: `${baseUrl}/sessions/${session.id}/registrations`, ics, webcal: webcalOf(ics), google: googleEventOf(session) };
}

export function eventLinks(baseUrl: string, event: { id: string; slug: string }) {
  const ics = `${baseUrl}/events/${event.slug}/calendar.ics`;
  return { self: `${baseUrl}/events/${event.slug}`, ics, webcal: webcalOf(ics), google: googleSubscribeOf(ics) };
}
