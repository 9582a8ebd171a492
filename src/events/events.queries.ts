import { decodeCursor, isIsoInstant } from '../common/cursor';
import { SESSION_COLUMNS } from './session-row';

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

export function listSessionsSql(f: ListFilter): { text: string; params: unknown[] } {
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
    text: `SELECT ${SESSION_COLUMNS} FROM sessions s JOIN events e ON e.id = s.event_id
      WHERE ${sql.where.join(' AND ')} ORDER BY s.starts_at, s.id LIMIT ${sql.param(f.limit + 1)}`,
    params: sql.params,
  };
}

/**
 * Events ordered by their next session in range. With `requireSession` false (staff listing with
 * no range given) events without sessions are listed too, after the others.
 */
export function listEventsSql(f: ListFilter, requireSession: boolean): { text: string; params: unknown[] } {
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
    text: `SELECT e.*, CASE WHEN n.next_starts_at IS NULL THEN 'infinity'
             ELSE to_char(n.next_starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END AS cursor_ts
      FROM events e
      LEFT JOIN LATERAL (SELECT min(s.starts_at) AS next_starts_at FROM sessions s
                         WHERE s.event_id = e.id${range.map((r) => ` AND ${r}`).join('')}) n ON true
      WHERE ${sql.where.join(' AND ')}
      ORDER BY ${sortKey}, e.id LIMIT ${sql.param(f.limit + 1)}`,
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
export function sessionsOfEventsSql(eventIds: string[], range: { from?: Date; to?: Date }): { text: string; params: unknown[] } {
  const sql = new Sql();
  const ids = sql.param(eventIds);
  const inRange = rangeConditions(sql, range);
  return {
    text: `SELECT x.*, c.session_count FROM unnest(${ids}::uuid[]) AS p(event_id)
      CROSS JOIN LATERAL (SELECT count(*)::int AS session_count FROM sessions s WHERE s.event_id = p.event_id${inRange}) c
      CROSS JOIN LATERAL (SELECT ${SESSION_COLUMNS} FROM sessions s JOIN events e ON e.id = s.event_id
                           WHERE s.event_id = p.event_id${inRange}
                           ORDER BY s.starts_at, s.id LIMIT ${LISTED_SESSIONS}) x`,
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
