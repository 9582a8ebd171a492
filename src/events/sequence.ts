import type { Venue } from './event.entity';

/** What a calendar program sees of a session: when any of it changes, SEQUENCE must grow (RFC 5545). */
export interface ScheduleFacts {
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  venue: Venue | null;
  status: string;
}

export function scheduleChanged(before: ScheduleFacts, after: ScheduleFacts): boolean {
  return (
    before.startsAt.getTime() !== after.startsAt.getTime() ||
    before.endsAt.getTime() !== after.endsAt.getTime() ||
    before.timezone !== after.timezone ||
    before.status !== after.status ||
    !sameVenue(before.venue, after.venue)
  );
}

export function sameVenue(a: Venue | null, b: Venue | null): boolean {
  if (a === null || b === null) return a === b;
  const keys: (keyof Venue)[] = ['name', 'address', 'city', 'region', 'postalCode', 'country'];
  return keys.every((k) => (a[k] ?? null) === (b[k] ?? null));
}
