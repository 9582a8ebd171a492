import type { Pool } from 'pg';
import { HttpProblem, UUID } from './http';

/** The columns every Session response needs: the session, its event's id/slug/title, the venue in effect. */
export const SESSION_COLUMNS = `
  s.id, s.event_id, s.starts_at, s.ends_at, s.timezone, coalesce(s.venue, e.venue) AS venue, s.capacity,
  s.waitlist_enabled, s.registration_opens_at, s.registration_closes_at, s.status, s.confirmed_count,
  s.waitlisted_count, s.sequence, e.slug AS event_slug, e.title AS event_title, e.organizer AS event_organizer, e.status AS event_status,
  to_char(s.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_ts`;

export interface SessionRow {
  id: string;
  event_id: string;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  venue: unknown;
  capacity: number | null;
  waitlist_enabled: boolean;
  registration_opens_at: Date | null;
  registration_closes_at: Date | null;
  status: 'scheduled' | 'cancelled';
  confirmed_count: number;
  waitlisted_count: number;
  sequence: number;
  event_slug: string;
  event_title: string;
  event_organizer: string | null;
  event_status: 'draft' | 'published' | 'cancelled';
  /** starts_at to the microsecond (a Date keeps only milliseconds): keyset cursors must not skip rows. */
  cursor_ts: string;
}

export type AvailabilityState = 'open' | 'waitlist' | 'full' | 'closed' | 'cancelled' | 'past';

/** Why registering is impossible now (seats aside), or null. Same rules as the contract. */
export function closedReason(s: SessionRow, now: number): 'cancelled' | 'past' | 'closed' | null {
  if (s.status === 'cancelled' || s.event_status === 'cancelled') return 'cancelled';
  if (now >= s.ends_at.getTime()) return 'past';
  if (now >= s.starts_at.getTime()) return 'closed';
  if (s.registration_opens_at && now < s.registration_opens_at.getTime()) return 'closed';
  if (s.registration_closes_at && now >= s.registration_closes_at.getTime()) return 'closed';
  return null;
}

export function availability(
  s: SessionRow,
  now: number,
): { state: AvailabilityState; seatsRemaining: number | null; waitlistLength: number } {
  const seatsRemaining = s.capacity === null ? null : Math.max(0, s.capacity - s.confirmed_count);
  const base = { seatsRemaining, waitlistLength: s.waitlisted_count };
  const closed = closedReason(s, now);
  if (closed) return { state: closed, ...base };
  if (seatsRemaining === null || seatsRemaining > 0) return { state: 'open', ...base };
  return { state: s.waitlist_enabled ? 'waitlist' : 'full', ...base };
}

export function sessionJson(s: SessionRow, baseUrl: string, now: number): Record<string, unknown> {
  const ics = `${baseUrl}/sessions/${s.id}/calendar.ics`;
  const webcal = ics.replace(/^https?:/, 'webcal:');
  return {
    id: s.id,
    eventId: s.event_id,
    event: { id: s.event_id, slug: s.event_slug, title: s.event_title, organizer: s.event_organizer },
    startsAt: s.starts_at.toISOString(),
    endsAt: s.ends_at.toISOString(),
    timezone: s.timezone,
    venue: s.venue ?? null,
    capacity: s.capacity,
    waitlistEnabled: s.waitlist_enabled,
    registrationOpensAt: s.registration_opens_at?.toISOString() ?? null,
    registrationClosesAt: s.registration_closes_at?.toISOString() ?? null,
    status: s.event_status === 'cancelled' ? 'cancelled' : s.status,
    sequence: s.sequence,
    availability: availability(s, now),
    links: { register: `${baseUrl}/sessions/${s.id}/registrations`, ics, webcal, google: googleEvent(s, baseUrl) },
  };
}

function googleInstant(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

function googleEvent(s: SessionRow, baseUrl: string): string {
  const params = new URLSearchParams({
    action: 'TEMPLATE',
    text: s.event_title,
    dates: `${googleInstant(s.starts_at)}/${googleInstant(s.ends_at)}`,
    ctz: s.timezone,
  });
  const venue = (s.venue ?? {}) as Record<string, string | null>;
  const location = ['name', 'address', 'city', 'region', 'postalCode', 'country']
    .map((k) => venue[k])
    .filter(Boolean)
    .join(', ');
  if (location) params.set('location', location);
  params.set('details', `${baseUrl}/e/${s.event_slug}`);
  return `https://calendar.google.com/calendar/render?${params.toString()}`;
}

type Cursor = [string, string];

function decodeCursor(raw: string): Cursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      !Number.isNaN(Date.parse(v[0])) &&
      typeof v[1] === 'string' &&
      UUID.test(v[1])
    ) {
      return [v[0], v[1]];
    }
  } catch {
    // fall through
  }
  throw new HttpProblem(400, 'validation', 'Invalid request', undefined, [{ field: 'cursor', message: 'is not a cursor from this API' }]);
}

function parseLimit(raw: string | null): number {
  if (raw === null) return 20;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new HttpProblem(400, 'validation', 'Invalid request', undefined, [
      { field: 'limit', message: 'must be an integer from 1 to 100' },
    ]);
  }
  return n;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** `from`, as the contract takes it: an ISO 8601 instant with an offset, on a day that exists; now when absent. */
function parseFrom(raw: string | null): Date {
  if (raw === null) return new Date();
  const m = INSTANT.exec(raw);
  const from = m ? new Date(raw) : null;
  // Date rolls 2027-02-30 over to March 2 rather than refusing it.
  const dayExists = m !== null && new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).getUTCDate() === +m[3];
  if (!from || Number.isNaN(from.getTime()) || !dayExists) {
    throw new HttpProblem(400, 'validation', 'Invalid request', undefined, [
      { field: 'from', message: 'must be an ISO 8601 timestamp with an offset, e.g. 2027-08-01T18:00:00-07:00' },
    ]);
  }
  return from;
}

const LIST_SQL = `SELECT ${SESSION_COLUMNS} FROM sessions s JOIN events e ON e.id = s.event_id
  WHERE e.status = 'published' AND s.starts_at >= $2::timestamptz`;
const FIRST_PAGE = { name: 'list-sessions', text: `${LIST_SQL} ORDER BY s.starts_at, s.id LIMIT $1` };
const NEXT_PAGE = {
  name: 'list-sessions-after',
  text: `${LIST_SQL} AND (s.starts_at, s.id) > ($3::timestamptz, $4::uuid) ORDER BY s.starts_at, s.id LIMIT $1`,
};

/**
 * `GET /sessions`: upcoming sessions of published events (from `from`, else now), keyset-paginated
 * on (starts_at, id); one prepared statement.
 */
export async function listSessions(
  pool: Pool,
  query: URLSearchParams,
  baseUrl: string,
): Promise<{ data: unknown[]; nextCursor: string | null }> {
  const limit = parseLimit(query.get('limit'));
  const from = parseFrom(query.get('from'));
  const cursorParam = query.get('cursor');
  const cursor = cursorParam ? decodeCursor(cursorParam) : null;
  const { rows } = await pool.query<SessionRow>(
    cursor ? { ...NEXT_PAGE, values: [limit + 1, from, cursor[0], cursor[1]] } : { ...FIRST_PAGE, values: [limit + 1, from] },
  );
  const now = Date.now();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map((r) => sessionJson(r, baseUrl, now)),
    nextCursor: rows.length > limit && last ? Buffer.from(JSON.stringify([last.cursor_ts, last.id])).toString('base64url') : null,
  };
}

const MINIMAL_PAGE = {
  name: 'raw-sessions-page',
  text: `SELECT s.id, s.event_id AS "eventId", e.title, s.starts_at AS "startsAt", s.ends_at AS "endsAt", s.timezone,
                s.capacity, s.confirmed_count AS "confirmedCount"
           FROM sessions s JOIN events e ON e.id = s.event_id
          WHERE e.status = 'published' AND s.starts_at >= now()
          ORDER BY s.starts_at, s.id LIMIT $1`,
};

/**
 * The reference for the listing: the same sessions, in the same order, from the same index, with
 * only the fields a listing cannot do without, and the rows sent as they come.
 */
export async function minimalSessionsPage(pool: Pool, query: URLSearchParams): Promise<string> {
  const { rows } = await pool.query({ ...MINIMAL_PAGE, values: [parseLimit(query.get('limit'))] });
  return JSON.stringify({ data: rows });
}
