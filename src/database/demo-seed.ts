import { DataSource } from 'typeorm';
import { EventEntity } from '../events/event.entity';
import { SessionEntity } from '../events/session.entity';
import { DEMO_TIMEZONE, demoSessionTimes } from './demo-dates';

const PLACEHOLDERS = [
  { slug: 'tbj-upcoming-event-aug-01', title: 'TBJ Upcoming Event — August 1', capacity: 100 },
  { slug: 'tbj-upcoming-event-aug-22', title: 'TBJ Upcoming Event — August 22', capacity: 150 },
  { slug: 'tbj-upcoming-event-aug-29', title: 'TBJ Upcoming Event — August 29', capacity: 200 },
];

/** Loads the TBJ demo events (one published session each) unless there are events already. */
export async function seedDemo(dataSource: DataSource, now = new Date()): Promise<boolean> {
  return dataSource.transaction(async (m) => {
    if ((await m.count(EventEntity)) > 0) return false;
    const times = demoSessionTimes(now);
    for (const [i, p] of PLACEHOLDERS.entries()) {
      const event = await m.save(
        m.create(EventEntity, {
          slug: p.slug,
          title: p.title,
          summary: 'Placeholder: staff will replace this text.',
          description: 'Details to come. Register to hold your place.',
          organizer: 'TBJ',
          category: 'business',
          tags: ['tbj', 'networking'],
          venue: { name: 'To be announced', address: null, city: 'Los Angeles', region: 'CA', postalCode: null, country: 'US' },
          onlineUrl: null,
          timezone: DEMO_TIMEZONE,
          status: 'published',
        }),
      );
      await m.save(
        m.create(SessionEntity, {
          eventId: event.id,
          startsAt: times[i].startsAt,
          endsAt: times[i].endsAt,
          timezone: DEMO_TIMEZONE,
          venue: null,
          capacity: p.capacity,
          waitlistEnabled: true,
          status: 'scheduled',
        }),
      );
    }
    return true;
  });
}
