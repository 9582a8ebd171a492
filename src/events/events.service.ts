import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { Database } from '../database/database';
import { isUuid, Page, toPage } from '../common/cursor';
import { NotFoundError } from '../common/errors';
import { parseInstant } from '../common/validators';
import type { EventStatus } from './event.entity';
import { EventView, SessionView } from './dto/views';
import { ListQueryDto, SessionListQueryDto } from './dto/list-query.dto';
import {
  EVENT_BY_ID_SQL,
  EVENT_BY_SLUG_SQL,
  ListFilter,
  listEventsSql,
  listSessionsSql,
  SESSION_BY_ID_SQL,
  sessionsOfEventSql,
  sessionsOfEventsSql,
} from './events.queries';
import { EventRow, SessionRow, ShownSessions, toEventView, toSessionView } from './rows';

const PUBLIC: EventStatus[] = ['published'];
/** Single reads also show cancelled events, so attendees learn of the cancellation. */
const PUBLIC_SINGLE: EventStatus[] = ['published', 'cancelled'];
const ALL: EventStatus[] = ['draft', 'published', 'cancelled'];

/** Reads of events and sessions, for the public and for staff. */
@Injectable()
export class EventsService {
  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async listSessions(query: SessionListQueryDto, statuses = PUBLIC): Promise<Page<SessionView>> {
    const now = new Date();
    const { statement, params } = listSessionsSql({ ...this.filter(query, now), statuses, eventId: query.eventId });
    const rows = await this.db.query<SessionRow>(statement, params);
    return toPage(
      rows,
      query.limit ?? 20,
      (r) => [r.cursor_ts, r.id],
      (r) => toSessionView(r, this.config.publicBaseUrl, now),
    );
  }

  async getSession(id: string, statuses = PUBLIC_SINGLE): Promise<SessionView> {
    const row = await this.findSessionRow(id, statuses);
    if (!row) throw new NotFoundError('Session');
    return toSessionView(row, this.config.publicBaseUrl, new Date());
  }

  async findSessionRow(id: string, statuses = PUBLIC_SINGLE): Promise<SessionRow | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await this.db.query<SessionRow>(SESSION_BY_ID_SQL, [id, statuses]);
    return rows[0];
  }

  /** `admin` lists every status, and events without sessions when no range is given. */
  async listEvents(query: ListQueryDto & { status?: EventStatus }, admin = false): Promise<Page<EventView>> {
    const now = new Date();
    const ranged = !admin || query.from !== undefined || query.to !== undefined;
    const filter: ListFilter = {
      ...this.filter(query, now),
      ...(ranged ? {} : { from: undefined }),
      statuses: admin ? (query.status ? [query.status] : ALL) : PUBLIC,
    };
    const { statement, params } = listEventsSql(filter, ranged);
    const rows = await this.db.query<EventRow>(statement, params);
    const limit = query.limit ?? 20;
    const page = rows.slice(0, limit);
    const sessions = await this.sessionsByEvent(
      page.map((e) => e.id),
      ranged ? filter : {},
    );
    return toPage(
      rows,
      limit,
      (r) => [r.cursor_ts as string, r.id],
      (r) => toEventView(r, sessions.get(r.id) ?? { sessions: [], count: 0 }, this.config.publicBaseUrl),
    );
  }

  /** The event with its next EVENT_SESSIONS sessions (see sessionsOfEventSql) and their total. */
  async getEvent(idOrSlug: string, statuses = PUBLIC_SINGLE): Promise<EventView> {
    const row = await this.findEventRow(idOrSlug, statuses);
    if (!row) throw new NotFoundError('Event');
    const now = new Date();
    const { text, params } = sessionsOfEventSql(row.id, now);
    const rows = await this.db.query<SessionRow>(text, params);
    const sessions = rows.map((r) => toSessionView(r, this.config.publicBaseUrl, now));
    return toEventView(row, { sessions, count: row.session_count ?? sessions.length }, this.config.publicBaseUrl);
  }

  async findEventRow(idOrSlug: string, statuses = PUBLIC_SINGLE): Promise<EventRow | undefined> {
    const column = isUuid(idOrSlug) ? 'id' : 'slug';
    if (column === 'slug' && !/^[a-z0-9-]{1,120}$/.test(idOrSlug)) return undefined;
    const rows = await this.db.query<EventRow>(column === 'id' ? EVENT_BY_ID_SQL : EVENT_BY_SLUG_SQL, [
      column === 'id' ? idOrSlug.toLowerCase() : idOrSlug,
      statuses,
    ]);
    return rows[0];
  }

  private async sessionsByEvent(eventIds: string[], range: { from?: Date; to?: Date }): Promise<Map<string, ShownSessions>> {
    const byEvent = new Map<string, ShownSessions>();
    if (eventIds.length === 0) return byEvent;
    const { statement, params } = sessionsOfEventsSql(eventIds, range);
    const rows = await this.db.query<SessionRow & { session_count: number }>(statement, params);
    const now = new Date();
    for (const r of rows) {
      const shown = byEvent.get(r.event_id) ?? { sessions: [], count: r.session_count };
      shown.sessions.push(toSessionView(r, this.config.publicBaseUrl, now));
      byEvent.set(r.event_id, shown);
    }
    return byEvent;
  }

  private filter(query: ListQueryDto, now: Date): Omit<ListFilter, 'statuses'> {
    return {
      from: query.from ? parseInstant(query.from) : now,
      to: query.to ? parseInstant(query.to) : undefined,
      q: query.q?.trim() || undefined,
      category: query.category,
      cursor: query.cursor,
      limit: query.limit ?? 20,
    };
  }
}
