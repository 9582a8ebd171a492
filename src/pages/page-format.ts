import type { AvailabilityState } from '../events/availability';

/** "Sunday, August 1, 2027", in the session's own timezone. */
export function formatDate(instant: Date, timezone: string, locale = 'en-US'): string {
  return new Intl.DateTimeFormat(locale, { timeZone: timezone, weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }).format(
    instant,
  );
}

/** "10:00 AM – 12:00 PM PDT (America/Los_Angeles)": the zone named, as attendees in other zones need it. */
export function formatTimeRange(startsAt: Date, endsAt: Date, timezone: string, locale = 'en-US'): string {
  const time = new Intl.DateTimeFormat(locale, { timeZone: timezone, hour: 'numeric', minute: '2-digit' });
  const zone = new Intl.DateTimeFormat(locale, { timeZone: timezone, timeZoneName: 'short' })
    .formatToParts(startsAt)
    .find((part) => part.type === 'timeZoneName')?.value;
  return `${time.format(startsAt)} – ${time.format(endsAt)} ${zone ?? ''} (${timezone})`.replace(/\s+\(/, ' (');
}

/** The date block of the box: "Aug" and "01", in the session's timezone. */
export function dateBlock(instant: Date, timezone: string, locale = 'en-US'): { month: string; day: string } {
  return {
    month: new Intl.DateTimeFormat(locale, { timeZone: timezone, month: 'short' }).format(instant),
    day: new Intl.DateTimeFormat(locale, { timeZone: timezone, day: '2-digit' }).format(instant),
  };
}

const AVAILABILITY_TEXT: Record<AvailabilityState, string> = {
  open: 'Open',
  waitlist: 'Full: join the waitlist',
  full: 'Sold out',
  closed: 'Registration closed',
  cancelled: 'Cancelled',
  past: 'Past',
};

/** What a person reads about a session's seats. */
export function availabilityText(availability: { state: AvailabilityState; seatsRemaining: number | null }): string {
  if (availability.state === 'open' && availability.seatsRemaining !== null) {
    return availability.seatsRemaining === 1 ? '1 seat left' : `${availability.seatsRemaining} seats left`;
  }
  return AVAILABILITY_TEXT[availability.state];
}

/** A form is offered only where registering can succeed. */
export function acceptsRegistrations(state: AvailabilityState): boolean {
  return state === 'open' || state === 'waitlist';
}
