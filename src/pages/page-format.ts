import { LRUCache } from 'lru-cache';
import type { AvailabilityState } from '../events/availability';

const STYLES = {
  date: { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' },
  time: { hour: 'numeric', minute: '2-digit' },
  zoneName: { timeZoneName: 'short' },
  month: { month: 'short' },
  day: { day: '2-digit' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

/**
 * Formatters kept per locale, zone and style: each new Intl.DateTimeFormat costs tens of µs and
 * holds ICU memory outside the JS heap that the collector frees late, so one per message or
 * page grows the process by hundreds of MB under load.
 */
const formatters = new LRUCache<string, Intl.DateTimeFormat>({ max: 1000 });

function formatter(locale: string, timeZone: string, style: keyof typeof STYLES): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${style}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZone, ...STYLES[style] });
    formatters.set(key, format);
  }
  return format;
}

/** "Sunday, August 1, 2027", in the session's own timezone. */
export function formatDate(instant: Date, timezone: string, locale = 'en-US'): string {
  return formatter(locale, timezone, 'date').format(instant);
}

/** "10:00 AM – 12:00 PM PDT (America/Los_Angeles)": the zone named, as attendees in other zones need it. */
export function formatTimeRange(startsAt: Date, endsAt: Date, timezone: string, locale = 'en-US'): string {
  const time = formatter(locale, timezone, 'time');
  const zone = formatter(locale, timezone, 'zoneName')
    .formatToParts(startsAt)
    .find((part) => part.type === 'timeZoneName')?.value;
  return `${time.format(startsAt)} – ${time.format(endsAt)} ${zone ?? ''} (${timezone})`.replace(/\s+\(/, ' (');
}

/** The date block of the box: "Aug" and "01", in the session's timezone. */
export function dateBlock(instant: Date, timezone: string, locale = 'en-US'): { month: string; day: string } {
  return {
    month: formatter(locale, timezone, 'month').format(instant),
    day: formatter(locale, timezone, 'day').format(instant),
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
