import ical, { ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import type { Pool } from 'pg';

interface FeedRow {
  id: string;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  status: 'scheduled' | 'cancelled';
  sequence: number;
  updated_at: Date;
  venue: { name?: string | null; address?: string | null; city?: string | null; country?: string | null } | null;
  event_title: string;
  event_slug: string;
  event_summary: string | null;
  event_status: 'published' | 'cancelled';
}

export interface Feed {
  etag: string;
  lastModified: Date;
  /** Null when the client's If-None-Match already matches. */
  body: string | null;
}

// Published events, and cancelled ones so their sessions stay in feeds as STATUS:CANCELLED.
/** Like the service: one feed renders at most this many sessions, the earliest first. */
const FEED_MAX_SESSIONS = 10_000;
const FEED_FILTER = `e.status IN ('published', 'cancelled') AND s.starts_at >= now() - interval '30 days'`;

/** `GET /calendars/all.ics`: a cheap fingerprint query first, so a matching If-None-Match costs no rendering. */
export async function allSessionsFeed(pool: Pool, ifNoneMatch: string | undefined, baseUrl: string): Promise<Feed> {
  const stamp = await pool.query<{ n: string; last: Date | null }>(
    `SELECT count(*) AS n, max(greatest(s.updated_at, e.updated_at)) AS last
       FROM sessions s JOIN events e ON e.id = s.event_id WHERE ${FEED_FILTER}`,
  );
  const last = stamp.rows[0]?.last ?? new Date(0);
  const etag = `"all-${stamp.rows[0]?.n ?? 0}-${last.getTime()}"`;
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
    return { etag, lastModified: last, body: null };
  }
  const { rows } = await pool.query<FeedRow>(
    `SELECT s.id, s.starts_at, s.ends_at, s.timezone, s.status, s.sequence, s.updated_at,
            coalesce(s.venue, e.venue) AS venue, e.title AS event_title, e.slug AS event_slug,
            e.summary AS event_summary, e.status AS event_status
       FROM sessions s JOIN events e ON e.id = s.event_id
      WHERE ${FEED_FILTER} ORDER BY s.starts_at, s.id LIMIT ${FEED_MAX_SESSIONS}`,
  );
  return { etag, lastModified: last, body: render(rows, baseUrl) };
}

function render(rows: FeedRow[], baseUrl: string): string {
  const cal = ical({ name: 'Eventline: all sessions', prodId: { company: 'eventline', product: 'baseline' } });
  for (const r of rows) {
    const cancelled = r.status === 'cancelled' || r.event_status === 'cancelled';
    cal.createEvent({
      id: `${r.id}@eventline`,
      start: DateTime.fromJSDate(r.starts_at, { zone: r.timezone }),
      end: DateTime.fromJSDate(r.ends_at, { zone: r.timezone }),
      timezone: r.timezone,
      stamp: r.updated_at,
      sequence: r.sequence,
      status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      summary: r.event_title,
      description: r.event_summary ?? undefined,
      location: formatVenue(r.venue),
      url: `${baseUrl}/events/${r.event_slug}`,
    });
  }
  return cal.toString();
}

function formatVenue(v: FeedRow['venue']): string | undefined {
  if (!v) return undefined;
  const parts = [v.name, v.address, v.city, v.country].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return parts.length > 0 ? parts.join(', ') : undefined;
}
