import { decodeCursor, isIsoInstant } from '../common/cursor';
import { prepared, type Statement } from '../database/database';

/**
 * The listing SQL, in one place. Sessions page by (starts_at, id) on sessions_starts_at_id_idx;
 * events page by (their next session in range, id). `q` uses events_search_idx.
 */
export interface ListFilter {
  from?: Date;
  to?: Date;
  q?: string;
  category?: string;
  eventId?: string;
  /** Event statuses to include; the public sees only published events. */
  statuses: string[];
  cursor?: string;
  limit: number;
}

/** Session columns joined with its event (`s` and `e`); counts come from the session row, no per-row queries. */
export const SESSION_COLUMNS = `
  s.id, s.event_id, e.slug AS event_slug, e.title AS event_title, e.organizer AS event_organizer, e.status AS event_status,
  s.starts_at, s.ends_at, s.timezone, COALESCE(s.venue, e.venue) AS venue, s.capacity, s.waitlist_enabled,
  s.registration_opens_at, s.registration_closes_at, s.status, s.sequence, s.confirmed_count, s.waitlisted_count,
  to_char(s.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_ts`;

export const SESSION_BY_ID_SQL = `
  SELECT ${SESSION_COLUMNS} FROM sessions s JOIN events e ON e.id = s.event_id WHERE s.id = $1 AND e.status = ANY($2::varchar[])`;

const EVENT_BY = (column: 'id' | 'slug'): string => `
  SELECT e.*, (SELECT count(*)::int FROM sessions s WHERE s.event_id = e.id) AS session_count
    FROM events e WHERE e.${column} = $1 AND e.status = ANY($2::varchar[])`;
export const EVENT_BY_ID_SQL = EVENT_BY('id');
export const EVENT_BY_SLUG_SQL = EVENT_BY('slug');

/**
 * Listing statements are prepared per connection under one name per distinct text (which filters
 * are given, the page size), so PostgreSQL plans each once and then runs its generic plan; with
 * the page size as a parameter it would plan every request (a LIMIT it cannot see keeps custom
 * plans). A few shapes serve nearly every request; past the bound, texts go unnamed.
 */
const NAMED_SHAPES = 64;
const shapeNames = new Map<string, string>();

function listingStatement(text: string): string | Statement {
  let name = shapeNames.get(text);
  if (name === undefined) {
    if (shapeNames.size >= NAMED_SHAPES) return text;
    name = `listing-${shapeNames.size + 1}`;
    shapeNames.set(text, name);
  }
  return prepared(name, text);
}

/** The rows a page reads (one more tells whether another page follows), written into the SQL: a whole number, checked here too. */
function pageRows(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new RangeError(`page size ${limit}`);
  return limit + 1;
}

export interface ListingSql {
  statement: string | Statement;
  params: unknown[];
}

class Sql {
  readonly params: unknown[] = [];
  readonly where: string[] = [];
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}

function eventConditions(sql: Sql, f: ListFilter): void {
  sql.where.push(`e.status = ANY(${sql.param(f.statuses)}::varchar[])`);
  if (f.q) sql.where.push(`e.search @@ websearch_to_tsquery('english', ${sql.param(f.q)})`);
  if (f.category) sql.where.push(`lower(e.category) = lower(${sql.param(f.category)})`);
}

export function listSessionsSql(f: ListFilter): ListingSql {
  const sql = new Sql();
  eventConditions(sql, f);
  if (f.from) sql.where.push(`s.starts_at >= ${sql.param(f.from)}`);
  if (f.to) sql.where.push(`s.starts_at < ${sql.param(f.to)}`);
  if (f.eventId) sql.where.push(`s.event_id = ${sql.param(f.eventId)}`);
  if (f.cursor) {
    const [ts, id] = decodeCursor(f.cursor);
    sql.where.push(`(s.starts_at, s.id) > (${sql.param(ts)}::timestamptz, ${sql.param(id)}::uuid)`);
  }
  return {
    statement: listingStatement(`SELECT ${SESSION_COLUMNS} FROM sessions s JOIN events e ON e.id = s.event_id
      WHERE ${sql.where.join(' AND ')} ORDER BY s.starts_at, s.id LIMIT ${pageRows(f.limit)}`),
    params: sql.params,
  };
}

/**
 * Events ordered by their next session in range. With `requireSession` false (staff listing with
 * no range given) events without sessions are listed too, after the others.
 */
export function listEventsSql(f: ListFilter, requireSession: boolean): ListingSql {
  const sql = new Sql();
  const range: string[] = [];
  if (f.from) range.push(`s.starts_at >= ${sql.param(f.from)}`);
  if (f.to) range.push(`s.starts_at < ${sql.param(f.to)}`);
  eventConditions(sql, f);
  if (requireSession) sql.where.push('n.next_starts_at IS NOT NULL');
  const sortKey = `COALESCE(n.next_starts_at, 'infinity'::timestamptz)`;
  if (f.cursor) {
    const [ts, id] = decodeCursor(f.cursor, (v) => v === 'infinity' || isIsoInstant(v));
    sql.where.push(`(${sortKey}, e.id) > (${sql.param(ts)}::timestamptz, ${sql.param(id)}::uuid)`);
  }
  return {
    statement: listingStatement(`SELECT e.*, CASE WHEN n.next_starts_at IS NULL THEN 'infinity'
             ELSE to_char(n.next_starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END AS cursor_ts
      FROM events e
      LEFT JOIN LATERAL (SELECT min(s.starts_at) AS next_starts_at FROM sessions s
                         WHERE s.event_id = e.id${range.map((r) => ` AND ${r}`).join('')}) n ON true
      WHERE ${sql.where.join(' AND ')}
      ORDER BY ${sortKey}, e.id LIMIT ${pageRows(f.limit)}`),
    params: sql.params,
  };
}

/** Sessions a listing shows per event; `sessionCount` tells how many the range holds. */
export const LISTED_SESSIONS = 5;
/** Sessions a single read of an event shows; the rest page through GET /sessions?eventId=. */
export const EVENT_SESSIONS = 100;

function rangeConditions(sql: Sql, range: { from?: Date; to?: Date }): string {
  const conditions: string[] = [];
  if (range.from) conditions.push(` AND s.starts_at >= ${sql.param(range.from)}`);
  if (range.to) conditions.push(` AND s.starts_at < ${sql.param(range.to)}`);
  return conditions.join('');
}

/**
 * Each listed event's first LISTED_SESSIONS sessions in range, each row carrying how many the
 * range holds for its event. Both LATERALs walk sessions_event_id_starts_at_idx for one event, so
 * an event of 10,000 sessions costs an index count, not 10,000 rows. Events with no session in
 * range give no row.
 */
export function sessionsOfEventsSql(eventIds: string[], range: { from?: Date; to?: Date }): ListingSql {
  const sql = new Sql();
  const ids = sql.param(eventIds);
  const inRange = rangeConditions(sql, range);
  return {
    statement: listingStatement(`SELECT x.*, c.session_count FROM unnest(${ids}::uuid[]) AS p(event_id)
      CROSS JOIN LATERAL (SELECT count(*)::int AS session_count FROM sessions s WHERE s.event_id = p.event_id${inRange}) c
      CROSS JOIN LATERAL (SELECT ${SESSION_COLUMNS} FROM sessions s JOIN events e ON e.id = s.event_id
                           WHERE s.event_id = p.event_id${inRange}
                           ORDER BY s.starts_at, s.id LIMIT ${LISTED_SESSIONS}) x`),
    params: sql.params,
  };
}

/**
 * One event's sessions for a single read: those starting from `now` on, earliest first, up to
 * EVENT_SESSIONS; when fewer lie ahead, the latest earlier ones fill the list, so an event of up
 * to EVENT_SESSIONS sessions shows them all (cancelled ones included). Two bounded scans of
 * sessions_event_id_starts_at_idx, one each way from `now`.
 */
export function sessionsOfEventSql(eventId: string, now: Date): { text: string; params: unknown[] } {
  const from = `FROM sessions s JOIN events e ON e.id = s.event_id WHERE s.event_id = $1`;
  return {
    text: `WITH ahead AS (SELECT ${SESSION_COLUMNS} ${from} AND s.starts_at >= $2 ORDER BY s.starts_at, s.id LIMIT $3),
      earlier AS (SELECT ${SESSION_COLUMNS} ${from} AND s.starts_at < $2
                   ORDER BY s.starts_at DESC, s.id DESC LIMIT $3 - (SELECT count(*) FROM ahead))
      SELECT * FROM earlier UNION ALL SELECT * FROM ahead ORDER BY starts_at, id`,
    params: [eventId, now, EVENT_SESSIONS],
  };
}

/** Staff changes (events-admin.service.ts): the rows they lock FOR UPDATE, and their writes. */
const EVENT_RECORD = `id, title, summary, description, organizer, category, tags, venue, online_url, timezone, status`;
export const LOCK_EVENT_SQL = `SELECT ${EVENT_RECORD} FROM events WHERE id = $1 FOR UPDATE`;
export const EVENT_STATUS_SQL = `SELECT status FROM events WHERE id = $1`;
export const SLUGS_TAKEN_SQL = `SELECT slug FROM events WHERE slug = $1 OR slug LIKE $2`;
export const INSERT_EVENT_SQL = `
  INSERT INTO events (slug, title, summary, description, organizer, category, tags, venue, online_url, timezone, status)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`;
/** updated_at moves only when something differs. */
export const UPDATE_EVENT_SQL = `
  UPDATE events SET title = $2, summary = $3, description = $4, organizer = $5, category = $6, tags = $7,
         venue = $8, online_url = $9, timezone = $10, updated_at = now()
   WHERE id = $1
     AND (title, summary, description, organizer, category, tags, venue, online_url, timezone)
         IS DISTINCT FROM ($2::varchar, $3::varchar, $4::text, $5::varchar, $6::varchar, $7::text[], $8::jsonb, $9::varchar, $10::varchar)`;
/** Sessions that inherit the event's place have moved: calendars must see a new SEQUENCE. */
export const BUMP_INHERITING_SESSIONS_SQL = `UPDATE sessions SET sequence = sequence + 1, updated_at = now() WHERE event_id = $1 AND venue IS NULL`;
export const EVENT_REGISTRATIONS_SQL = `
  SELECT count(*)::int AS n FROM registrations r JOIN sessions s ON s.id = r.session_id WHERE s.event_id = $1`;
export const DELETE_EVENT_SQL = `DELETE FROM events WHERE id = $1`;
export const SET_EVENT_STATUS_SQL = `UPDATE events SET status = $2, updated_at = now() WHERE id = $1`;
export const CANCEL_EVENT_SESSIONS_SQL = `
  UPDATE sessions SET status = 'cancelled', sequence = sequence + 1, updated_at = now() WHERE event_id = $1 AND status <> 'cancelled'`;

// camelCase, as the schedule rules (sequence.ts) and availability read a session.
const SESSION_RECORD = `
  id, event_id AS "eventId", starts_at AS "startsAt", ends_at AS "endsAt", timezone, venue, capacity,
  waitlist_enabled AS "waitlistEnabled", registration_opens_at AS "registrationOpensAt",
  registration_closes_at AS "registrationClosesAt", status, sequence, confirmed_count AS "confirmedCount"`;
export const LOCK_SESSION_SQL = `SELECT ${SESSION_RECORD} FROM sessions WHERE id = $1 FOR UPDATE`;
export const INSERT_SESSION_SQL = `
  INSERT INTO sessions (event_id, starts_at, ends_at, timezone, venue, capacity, waitlist_enabled,
                        registration_opens_at, registration_closes_at, status)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'scheduled') RETURNING id`;
/** updated_at moves only when something differs. */
export const UPDATE_SESSION_SQL = `
  UPDATE sessions SET starts_at = $2, ends_at = $3, timezone = $4, venue = $5, capacity = $6, waitlist_enabled = $7,
         registration_opens_at = $8, registration_closes_at = $9, sequence = $10, updated_at = now()
   WHERE id = $1
     AND (starts_at, ends_at, timezone, venue, capacity, waitlist_enabled, registration_opens_at, registration_closes_at, sequence)
         IS DISTINCT FROM ($2::timestamptz, $3::timestamptz, $4::varchar, $5::jsonb, $6::int, $7::boolean,
                           $8::timestamptz, $9::timestamptz, $10::int)`;
export const CANCEL_SESSION_SQL = `UPDATE sessions SET status = 'cancelled', sequence = sequence + 1, updated_at = now() WHERE id = $1`;
