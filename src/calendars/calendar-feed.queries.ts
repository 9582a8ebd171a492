/**
 * The feeds' SQL. Each scope is read two ways: its validators (aggregates only) and its rows,
 * which carry each row's validator inputs, summed while rendering (FeedStampSum) so a body and
 * its ETag share one snapshot.
 */

import { registrationIdsByTokenHash } from '../mail/outbox.queries';
import type { SessionStatus } from '../events/session.entity';

/** Feeds show published events and cancelled ones (their sessions stay, as STATUS:CANCELLED); never drafts. */
const VISIBLE = `e.status IN ('published', 'cancelled')`;

export type FeedScope =
  | { kind: 'session'; sessionId: string }
  | { kind: 'event'; by: 'id' | 'slug'; value: string }
  | { kind: 'all'; since: Date }
  /** `category` is its key: lower() of what was asked, as CATEGORY_KEY_SQL gives it; null matches no event. */
  | { kind: 'category'; category: string | null; since: Date }
  | { kind: 'registration'; tokenHash: Buffer };

interface ScopeSql {
  from: string;
  where: string;
  params: unknown[];
  /** This row's LAST-MODIFIED (and DTSTAMP). */
  modified: string;
  /** A number that grows whenever anything shown for this row changes (summed into the ETag). */
  stamp: string;
  status: string;
  sequence: string;
}

const micros = (column: string): string => `coalesce((extract(epoch FROM ${column}) * 1000000)::bigint, 0)`;

const SESSION_FEED: Omit<ScopeSql, 'where' | 'params'> = {
  from: 'sessions s JOIN events e ON e.id = s.event_id',
  modified: 'greatest(s.updated_at, e.updated_at)',
  // Both columns, not their greatest: an event edit must show even when a session was edited later.
  stamp: `${micros('s.updated_at')} + ${micros('e.updated_at')}`,
  status: `CASE WHEN s.status = 'cancelled' OR e.status = 'cancelled' THEN 'cancelled' ELSE 'scheduled' END`,
  sequence: 's.sequence',
};

function scopeSql(scope: FeedScope): ScopeSql {
  switch (scope.kind) {
    case 'session':
      return { ...SESSION_FEED, where: `s.id = $1 AND ${VISIBLE}`, params: [scope.sessionId] };
    case 'all':
      return { ...SESSION_FEED, where: `s.starts_at >= $1 AND ${VISIBLE}`, params: [scope.since] };
    case 'category':
      return {
        ...SESSION_FEED,
        // The category comes as its key, already lower()ed (CATEGORY_KEY_SQL).
        where: `lower(e.category) = $1 AND s.starts_at >= $2 AND ${VISIBLE}`,
        params: [scope.category, scope.since],
      };
    case 'event':
      // LEFT JOIN: an event without sessions is an empty calendar, not a 404; its one row has s.* null.
      return {
        ...SESSION_FEED,
        from: 'events e LEFT JOIN sessions s ON s.event_id = e.id',
        where: `e.${scope.by === 'id' ? 'id' : 'slug'} = $1 AND ${VISIBLE}`,
        params: [scope.value],
      };
    case 'registration':
      // The attendee's own calendar: once they cancel, the session shows as cancelled (a new SEQUENCE).
      return {
        from: 'registrations r JOIN sessions s ON s.id = r.session_id JOIN events e ON e.id = s.event_id',
        // The token made at registration or one a mail carried: each keeps opening this feed.
        where: `r.id IN (${registrationIdsByTokenHash('$1')}) AND ${VISIBLE}`,
        params: [scope.tokenHash],
        modified: 'greatest(s.updated_at, e.updated_at, r.cancelled_at)',
        stamp: `${SESSION_FEED.stamp} + ${micros('r.cancelled_at')}`,
        status: `CASE WHEN s.status = 'cancelled' OR e.status = 'cancelled' OR r.status = 'cancelled' THEN 'cancelled' ELSE 'scheduled' END`,
        sequence: `s.sequence + (r.status = 'cancelled')::int`,
      };
  }
}

/** What a feed's validators are made of. */
export interface FeedStampRow {
  /** Rows matched: 0 means the event (or session, or registration) is not there at all. */
  row_count: number;
  session_count: number;
  last_modified: Date | null;
  /** Sums as text (bigint/numeric), compared exactly. */
  sequence_sum: string;
  stamp_sum: string;
  /** The earliest start: the window of all.ics drops it first. */
  first_starts_at: Date | null;
}

/**
 * The most sessions one feed renders (the earliest first): a bound on the memory and time one
 * request can take, however large the catalogue. The validators describe the same capped set, so
 * they cost what the feed costs and change exactly when its bytes do.
 */
export const FEED_MAX_SESSIONS = 10_000;

/** The scope's rows, capped and in feed order, with each row's validator inputs named. */
function scopedRows(sql: ScopeSql, columns: string): string {
  return `SELECT s.id, s.starts_at, ${sql.modified} AS modified, ${sql.sequence} AS sequence, ${sql.stamp} AS stamp${columns}
        FROM ${sql.from} WHERE ${sql.where}
       ORDER BY s.starts_at, s.id
       LIMIT ${FEED_MAX_SESSIONS}`;
}

/** The cheap query behind ETag, Last-Modified and 304: aggregates only, no rows leave the database. */
export function feedStampSql(scope: FeedScope): { text: string; params: unknown[] } {
  const sql = scopeSql(scope);
  return {
    text: `WITH scoped AS (${scopedRows(sql, '')})
      SELECT count(*)::int AS row_count, count(id)::int AS session_count, max(modified) AS last_modified,
             coalesce(sum(sequence), 0)::text AS sequence_sum, coalesce(sum(stamp), 0)::text AS stamp_sum,
             min(starts_at) AS first_starts_at
        FROM scoped`,
    params: sql.params,
  };
}

export interface FeedRow {
  /** Null only for the single row of an event that has no sessions. */
  id: string | null;
  event_slug: string;
  event_title: string;
  event_summary: string | null;
  event_category: string | null;
  event_description: string | null;
  organizer: string | null;
  online_url: string | null;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  venue: FeedVenue | null;
  status: SessionStatus;
  sequence: number;
  modified: Date;
  /** This row's part of stamp_sum: a bigint, as text. */
  stamp: string;
}

export interface FeedVenue {
  name?: string | null;
  address?: string | null;
  city?: string | null;
  region?: string | null;
  postalCode?: string | null;
  country?: string | null;
}

/**
 * Every row a feed renders, in feed order, with its validator inputs (modified, sequence, stamp)
 * for FeedStampSum to add up: as window functions the aggregates would repeat on every row and
 * cost the database a third more than the rows alone.
 */
export function feedRowsSql(scope: FeedScope): { text: string; params: unknown[] } {
  const sql = scopeSql(scope);
  const columns = `, e.slug AS event_slug, e.title AS event_title, e.summary AS event_summary, e.category AS event_category,
        e.description AS event_description, e.organizer, e.online_url,
        s.ends_at, s.timezone, COALESCE(s.venue, e.venue) AS venue, ${sql.status} AS status`;
  return { text: scopedRows(sql, columns), params: sql.params };
}

/** Categories that have a published event, for the feed index; spelled as most of their events spell them. */
export const FEED_CATEGORIES_SQL = `
  SELECT mode() WITHIN GROUP (ORDER BY e.category) AS category
    FROM events e
   WHERE e.status = 'published' AND e.category IS NOT NULL
   GROUP BY lower(e.category)
   ORDER BY lower(e.category)`;

/**
 * A category feed's key: the category as the feed query compares it, by PostgreSQL's own lower()
 * (which depends on the database's locale, so JavaScript cannot stand in for it). Every spelling
 * that selects the same sessions gets the same key, and so one cache entry and one rendering.
 */
export const CATEGORY_KEY_SQL = `SELECT lower($1::text) AS key`;
