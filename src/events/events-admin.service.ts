import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '../common/database-errors';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import { parseInstant } from '../common/validators';
import { enqueueForEvent, enqueueForSession } from '../mail/outbox.queries';
import { promoteWaitlisted } from '../registrations/promote-waitlist';
import { CreateEventDto, UpdateEventDto } from './dto/event.dto';
import { CreateSessionDto, UpdateSessionDto } from './dto/session.dto';
import { EventView, SessionView } from './dto/views';
import { EventEntity, Venue } from './event.entity';
import { EventsService } from './events.service';
import { scheduleChanged, sameVenue } from './sequence';
import { SessionEntity } from './session.entity';
import { slugify, uniqueSlug } from './slug';

const ALL_STATUSES = ['draft', 'published', 'cancelled'] as const;

function toVenue(v: CreateEventDto['venue']): Venue | null {
  if (!v) return null;
  return {
    name: v.name ?? null,
    address: v.address ?? null,
    city: v.city ?? null,
    region: v.region ?? null,
    postalCode: v.postalCode ?? null,
    country: v.country ?? null,
  };
}

function instantOrNull(v: string | null | undefined): Date | null {
  return v ? (parseInstant(v) ?? null) : null;
}

function assertTimes(s: Pick<SessionEntity, 'startsAt' | 'endsAt' | 'registrationOpensAt' | 'registrationClosesAt'>): void {
  if (s.endsAt.getTime() <= s.startsAt.getTime()) {
    throw new ValidationError('A session must end after it starts', [{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
  }
  if (s.registrationOpensAt && s.registrationClosesAt && s.registrationClosesAt <= s.registrationOpensAt) {
    throw new ValidationError('Registration must close after it opens', [
      { field: 'registrationClosesAt', message: 'registrationClosesAt must be after registrationOpensAt' },
    ]);
  }
}

/** Staff changes to events and sessions; each is one transaction holding the rows it changes. */
@Injectable()
export class EventsAdminService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventsService,
  ) {}

  getEvent(id: string): Promise<EventView> {
    return this.events.getEvent(id, [...ALL_STATUSES]);
  }

  getSession(id: string): Promise<SessionView> {
    return this.events.getSession(id, [...ALL_STATUSES]);
  }

  async createEvent(dto: CreateEventDto): Promise<EventView> {
    const base = slugify(dto.title);
    for (let attempt = 0; ; attempt++) {
      try {
        const id = await this.db.transaction(async (m) => {
          const taken: { slug: string }[] = await m.query(`SELECT slug FROM events WHERE slug = $1 OR slug LIKE $2`, [base, `${base}-%`]);
          const event = m.create(EventEntity, {
            slug: uniqueSlug(
              base,
              taken.map((t) => t.slug),
            ),
            title: dto.title,
            summary: dto.summary ?? null,
            description: dto.description ?? null,
            organizer: dto.organizer ?? null,
            category: dto.category ?? null,
            tags: dto.tags ?? [],
            venue: toVenue(dto.venue),
            onlineUrl: dto.onlineUrl ?? null,
            timezone: dto.timezone,
            status: dto.status ?? 'draft',
          });
          return (await m.save(event)).id;
        });
        return this.getEvent(id);
      } catch (error) {
        // Another request took the same slug between our read and insert: pick again.
        if (attempt < 5 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  async updateEvent(id: string, dto: UpdateEventDto): Promise<EventView> {
    await this.db.transaction(async (m) => {
      const event = await this.lockEvent(m, id);
      const venue = dto.venue === undefined ? event.venue : toVenue(dto.venue);
      const onlineUrl = dto.onlineUrl === undefined ? event.onlineUrl : dto.onlineUrl;
      const placeChanged = !sameVenue(event.venue, venue) || event.onlineUrl !== onlineUrl;
      Object.assign(event, {
        ...(dto.title !== undefined && { title: dto.title }),
        ...(dto.summary !== undefined && { summary: dto.summary }),
        ...(dto.description !== undefined && { description: dto.description }),
        ...(dto.organizer !== undefined && { organizer: dto.organizer }),
        ...(dto.category !== undefined && { category: dto.category }),
        ...(dto.tags !== undefined && { tags: dto.tags }),
        ...(dto.timezone !== undefined && { timezone: dto.timezone }),
        venue,
        onlineUrl,
      });
      await m.save(event);
      if (placeChanged) {
        // Sessions that inherit the event's place have moved: calendars must see a new SEQUENCE.
        await m.query(`UPDATE sessions SET sequence = sequence + 1, updated_at = now() WHERE event_id = $1 AND venue IS NULL`, [id]);
        // Email outbox (issue 12): the new place, to everyone in those sessions.
        await enqueueForEvent(m, id, 'session-updated', 'inheriting-venue');
      }
    });
    return this.getEvent(id);
  }

  async deleteEvent(id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const event = await this.lockEvent(m, id);
      if (event.status !== 'draft') throw new ConflictError('Only draft events can be deleted; cancel it instead');
      const [{ n }]: { n: number }[] = await m.query(
        `SELECT count(*)::int AS n FROM registrations r JOIN sessions s ON s.id = r.session_id WHERE s.event_id = $1`,
        [id],
      );
      if (n > 0) throw new ConflictError('This event has registrations; cancel it instead');
      await m.delete(EventEntity, { id });
    });
  }

  async publishEvent(id: string): Promise<EventView> {
    await this.db.transaction(async (m) => {
      const event = await this.lockEvent(m, id);
      if (event.status === 'cancelled') throw new ConflictError('A cancelled event cannot be published again');
      if (event.status === 'draft') await m.update(EventEntity, { id }, { status: 'published' });
    });
    return this.getEvent(id);
  }

  async cancelEvent(id: string): Promise<EventView> {
    await this.db.transaction(async (m) => {
      const event = await this.lockEvent(m, id);
      if (event.status === 'cancelled') return;
      await m.update(EventEntity, { id }, { status: 'cancelled' });
      // Email outbox (issue 12): before the UPDATE below, which makes every session look cancelled already.
      await enqueueForEvent(m, id, 'session-cancelled', 'not-cancelled');
      await m.query(
        `UPDATE sessions SET status = 'cancelled', sequence = sequence + 1, updated_at = now() WHERE event_id = $1 AND status <> 'cancelled'`,
        [id],
      );
    });
    return this.getEvent(id);
  }

  async addSession(eventId: string, dto: CreateSessionDto): Promise<SessionView> {
    const id = await this.db.transaction(async (m) => {
      const event = await this.lockEvent(m, eventId);
      if (event.status === 'cancelled') throw new ConflictError('Sessions cannot be added to a cancelled event');
      const session = m.create(SessionEntity, {
        eventId,
        startsAt: parseInstant(dto.startsAt),
        endsAt: parseInstant(dto.endsAt),
        timezone: dto.timezone ?? event.timezone,
        venue: toVenue(dto.venue),
        capacity: dto.capacity ?? null,
        waitlistEnabled: dto.waitlistEnabled ?? false,
        registrationOpensAt: instantOrNull(dto.registrationOpensAt),
        registrationClosesAt: instantOrNull(dto.registrationClosesAt),
        status: 'scheduled',
      });
      assertTimes(session);
      return (await m.save(session)).id;
    });
    return this.getSession(id);
  }

  async updateSession(id: string, dto: UpdateSessionDto): Promise<SessionView> {
    await this.db.transaction(async (m) => {
      const session = await this.lockSession(m, id);
      // Cancelling is final: a new capacity or time would offer seats nobody can take.
      if (session.status === 'cancelled' || (await this.eventStatus(m, session.eventId)) === 'cancelled') {
        throw new ConflictError('A cancelled session cannot be changed');
      }
      const before = { ...session };
      if (dto.startsAt !== undefined) session.startsAt = parseInstant(dto.startsAt) as Date;
      if (dto.endsAt !== undefined) session.endsAt = parseInstant(dto.endsAt) as Date;
      if (dto.timezone !== undefined) session.timezone = dto.timezone;
      if (dto.venue !== undefined) session.venue = toVenue(dto.venue);
      if (dto.waitlistEnabled !== undefined) session.waitlistEnabled = dto.waitlistEnabled;
      if (dto.registrationOpensAt !== undefined) session.registrationOpensAt = instantOrNull(dto.registrationOpensAt);
      if (dto.registrationClosesAt !== undefined) session.registrationClosesAt = instantOrNull(dto.registrationClosesAt);
      if (dto.capacity !== undefined) {
        if (dto.capacity !== null && dto.capacity < session.confirmedCount) {
          throw new ConflictError(`Capacity cannot go below the ${session.confirmedCount} confirmed registrations`);
        }
        session.capacity = dto.capacity;
      }
      assertTimes(session);
      if (scheduleChanged(before, session)) session.sequence += 1;
      await m.save(session);
      // Email outbox (issue 12): a new time or place goes to everyone with a place or on the waitlist.
      if (session.sequence !== before.sequence) await enqueueForSession(m, id, 'session-updated');
      if (session.capacity === null || (before.capacity !== null && session.capacity > before.capacity)) {
        await promoteWaitlisted(m, id);
      }
    });
    return this.getSession(id);
  }

  async cancelSession(id: string): Promise<SessionView> {
    await this.db.transaction(async (m) => {
      const session = await this.lockSession(m, id);
      if (session.status === 'cancelled') return;
      await m.update(SessionEntity, { id }, { status: 'cancelled', sequence: session.sequence + 1 });
      // Email outbox (issue 12): "it's cancelled", to everyone with a place or on the waitlist.
      await enqueueForSession(m, id, 'session-cancelled');
    });
    return this.getSession(id);
  }

  private async lockEvent(m: EntityManager, id: string): Promise<EventEntity> {
    const event = await m.findOne(EventEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!event) throw new NotFoundError('Event');
    return event;
  }

  private async eventStatus(m: EntityManager, eventId: string): Promise<EventEntity['status']> {
    const event = await m.findOneOrFail(EventEntity, { where: { id: eventId }, select: { id: true, status: true } });
    return event.status;
  }

  private async lockSession(m: EntityManager, id: string): Promise<SessionEntity> {
    const session = await m.findOne(SessionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!session) throw new NotFoundError('Session');
    return session;
  }
}
