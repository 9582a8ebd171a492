import { Injectable } from '@nestjs/common';
import { isUniqueViolation } from '../common/database-errors';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import { parseInstant } from '../common/validators';
import { Database, type Transaction } from '../database/database';
import { CreateEventDto, UpdateEventDto } from './dto/event.dto';
import { CreateSessionDto, UpdateSessionDto } from './dto/session.dto';
import { EventView, SessionView } from './dto/views';
import type { Venue } from './event.entity';
import {
  BUMP_INHERITING_SESSIONS_SQL,
  CANCEL_EVENT_SESSIONS_SQL,
  CANCEL_SESSION_SQL,
  DELETE_EVENT_SQL,
  EVENT_REGISTRATIONS_SQL,
  EVENT_STATUS_SQL,
  INSERT_EVENT_SQL,
  INSERT_SESSION_SQL,
  LOCK_EVENT_SQL,
  LOCK_SESSION_SQL,
  SET_EVENT_STATUS_SQL,
  SLUGS_TAKEN_SQL,
  UPDATE_EVENT_SQL,
  UPDATE_SESSION_SQL,
} from './events.queries';
import { EventsService } from './events.service';
import type { EventRecord, SessionRecord } from './rows';
import { SessionChanges } from './session-changes';
import { scheduleChanged, sameVenue } from './sequence';
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

function assertTimes(s: Pick<SessionRecord, 'startsAt' | 'endsAt' | 'registrationOpensAt' | 'registrationClosesAt'>): void {
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
    private readonly db: Database,
    private readonly events: EventsService,
    private readonly sessionChanges: SessionChanges,
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
        const id = await this.change(async (tx) => {
          const taken = await tx.query<{ slug: string }>(SLUGS_TAKEN_SQL, [base, `${base}-%`]);
          const [{ id }] = await tx.query<{ id: string }>(INSERT_EVENT_SQL, [
            uniqueSlug(
              base,
              taken.map((t) => t.slug),
            ),
            dto.title,
            dto.summary ?? null,
            dto.description ?? null,
            dto.organizer ?? null,
            dto.category ?? null,
            dto.tags ?? [],
            toVenue(dto.venue),
            dto.onlineUrl ?? null,
            dto.timezone,
            dto.status ?? 'draft',
          ]);
          return id;
        });
        return this.getEvent(id);
      } catch (error) {
        // Another request took the same slug between our read and insert: pick again.
        if (attempt < 5 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /** `requestId`, here and below: the HTTP request's, for the messages a change causes. */
  async updateEvent(id: string, dto: UpdateEventDto, requestId: string): Promise<EventView> {
    await this.change(async (tx) => {
      const event = await this.lockEvent(tx, id);
      const venue = dto.venue === undefined ? event.venue : toVenue(dto.venue);
      const onlineUrl = dto.onlineUrl === undefined ? event.online_url : dto.onlineUrl;
      const placeChanged = !sameVenue(event.venue, venue) || event.online_url !== onlineUrl;
      const pick = <K extends keyof EventRecord>(key: K, value: EventRecord[K] | undefined): EventRecord[K] =>
        value === undefined ? event[key] : value;
      await tx.query(UPDATE_EVENT_SQL, [
        id,
        pick('title', dto.title),
        pick('summary', dto.summary),
        pick('description', dto.description),
        pick('organizer', dto.organizer),
        pick('category', dto.category),
        pick('tags', dto.tags),
        venue,
        onlineUrl,
        pick('timezone', dto.timezone),
      ]);
      if (placeChanged) {
        await tx.query(BUMP_INHERITING_SESSIONS_SQL, [id]);
        await this.sessionChanges.emit('eventMoved', tx, id, requestId);
      }
    });
    return this.getEvent(id);
  }

  async deleteEvent(id: string): Promise<void> {
    await this.change(async (tx) => {
      const event = await this.lockEvent(tx, id);
      if (event.status !== 'draft') throw new ConflictError('Only draft events can be deleted; cancel it instead');
      const [{ n }] = await tx.query<{ n: number }>(EVENT_REGISTRATIONS_SQL, [id]);
      if (n > 0) throw new ConflictError('This event has registrations; cancel it instead');
      await tx.query(DELETE_EVENT_SQL, [id]);
    });
  }

  async publishEvent(id: string): Promise<EventView> {
    await this.change(async (tx) => {
      const event = await this.lockEvent(tx, id);
      if (event.status === 'cancelled') throw new ConflictError('A cancelled event cannot be published again');
      if (event.status === 'draft') await tx.query(SET_EVENT_STATUS_SQL, [id, 'published']);
    });
    return this.getEvent(id);
  }

  async cancelEvent(id: string, requestId: string): Promise<EventView> {
    await this.change(async (tx) => {
      const event = await this.lockEvent(tx, id);
      if (event.status === 'cancelled') return;
      await tx.query(SET_EVENT_STATUS_SQL, [id, 'cancelled']);
      // Before its sessions are cancelled, which would make every one look cancelled already.
      await this.sessionChanges.emit('eventCancelling', tx, id, requestId);
      await tx.query(CANCEL_EVENT_SESSIONS_SQL, [id]);
    });
    return this.getEvent(id);
  }

  async addSession(eventId: string, dto: CreateSessionDto): Promise<SessionView> {
    const id = await this.change(async (tx) => {
      const event = await this.lockEvent(tx, eventId);
      if (event.status === 'cancelled') throw new ConflictError('Sessions cannot be added to a cancelled event');
      const session = {
        startsAt: parseInstant(dto.startsAt) as Date,
        endsAt: parseInstant(dto.endsAt) as Date,
        registrationOpensAt: instantOrNull(dto.registrationOpensAt),
        registrationClosesAt: instantOrNull(dto.registrationClosesAt),
      };
      assertTimes(session);
      const [{ id }] = await tx.query<{ id: string }>(INSERT_SESSION_SQL, [
        eventId,
        session.startsAt,
        session.endsAt,
        dto.timezone ?? event.timezone,
        toVenue(dto.venue),
        dto.capacity ?? null,
        dto.waitlistEnabled ?? false,
        session.registrationOpensAt,
        session.registrationClosesAt,
      ]);
      return id;
    });
    return this.getSession(id);
  }

  async updateSession(id: string, dto: UpdateSessionDto, requestId: string): Promise<SessionView> {
    await this.change(async (tx) => {
      const before = await this.lockSession(tx, id);
      // Cancelling is final: a new capacity or time would offer seats nobody can take.
      const [event] = await tx.query<{ status: EventRecord['status'] }>(EVENT_STATUS_SQL, [before.eventId]);
      if (before.status === 'cancelled' || event?.status === 'cancelled') {
        throw new ConflictError('A cancelled session cannot be changed');
      }
      const session = { ...before };
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
      await tx.query(UPDATE_SESSION_SQL, [
        id,
        session.startsAt,
        session.endsAt,
        session.timezone,
        session.venue,
        session.capacity,
        session.waitlistEnabled,
        session.registrationOpensAt,
        session.registrationClosesAt,
        session.sequence,
      ]);
      if (session.sequence !== before.sequence) await this.sessionChanges.emit('sessionRescheduled', tx, id, requestId);
      if (session.capacity === null || (before.capacity !== null && session.capacity > before.capacity)) {
        await this.sessionChanges.emit('seatsFreed', tx, id, requestId);
      }
    });
    return this.getSession(id);
  }

  async cancelSession(id: string, requestId: string): Promise<SessionView> {
    await this.change(async (tx) => {
      const session = await this.lockSession(tx, id);
      if (session.status === 'cancelled') return;
      await tx.query(CANCEL_SESSION_SQL, [id]);
      await this.sessionChanges.emit('sessionCancelled', tx, id, requestId);
    });
    return this.getSession(id);
  }

  /** A transaction that changes what calendar feeds show. */
  private change<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => {
      tx.touch('events', 'sessions');
      return work(tx);
    });
  }

  private async lockEvent(tx: Transaction, id: string): Promise<EventRecord> {
    const [event] = await tx.query<EventRecord>(LOCK_EVENT_SQL, [id]);
    if (!event) throw new NotFoundError('Event');
    return event;
  }

  private async lockSession(tx: Transaction, id: string): Promise<SessionRecord> {
    const [session] = await tx.query<SessionRecord>(LOCK_SESSION_SQL, [id]);
    if (!session) throw new NotFoundError('Session');
    return session;
  }
}
