import type { Database } from '../database/database';
import { DEMO_TIMEZONE, demoSessionTimes } from './demo-dates';

const PLACEHOLDERS = [
  { slug: 'tbj-upcoming-event-aug-01', title: 'TBJ Upcoming Event — August 1', capacity: 100 },
  { slug: 'tbj-upcoming-event-aug-22', title: 'TBJ Upcoming Event — August 22', capacity: 150 },
  { slug: 'tbj-upcoming-event-aug-29', title: 'TBJ Upcoming Event — August 29', capacity: 200 },
];

const VENUE = { name: 'To be announced', address: null, city: 'Los Angeles', region: 'CA', postalCode: null, country: 'US' };

/** Loads the TBJ demo events (one published session each) unless there are events already. */
export async function seedDemo(db: Database, now = new Date()): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [{ any }] = await tx.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM events) AS any`);
    if (any) return false;
    const times = demoSessionTimes(now);
    for (const [i, p] of PLACEHOLDERS.entries()) {
      await tx.query(
        `WITH event AS (
           INSERT INTO events (slug, title, summary, description, organizer, category, tags, venue, timezone, status)
           VALUES ($1, $2, 'Placeholder: staff will replace this text.', 'Details to come. Register to hold your place.',
                   'TBJ', 'business', ARRAY['tbj', 'networking'], $3, $4, 'published')
           RETURNING id
         )
         INSERT INTO sessions (event_id, starts_at, ends_at, timezone, capacity, waitlist_enabled, status)
         SELECT id, $5, $6, $4, $7, true, 'scheduled' FROM event`,
        [p.slug, p.title, VENUE, DEMO_TIMEZONE, times[i].startsAt, times[i].endsAt, p.capacity],
      );
    }
    tx.touch('events', 'sessions');
    return true;
  });
}
