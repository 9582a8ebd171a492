import { computeEtag } from './calendar-validator';
import type { FeedRow, FeedStampRow, FeedVenue } from './calendar-feed.queries';
import type { CalendarSession } from './render-calendar';

/** How far back the subscription feeds (all, categories) reach. */
export const FEED_WINDOW_DAYS = 30;

export interface FeedValidators {
  etag: string;
  lastModified: Date;
}

/**
 * ETag and Last-Modified from the aggregates of a feed's rows. `key` names the feed and everything
 * else that shapes its bytes (the base URL of links, a requested spelling). The sums make any
 * edit, publication, cancellation or session leaving the window change the ETag; Last-Modified
 * is the newest edit (an empty feed: the epoch), which cannot see rows leaving, so If-None-Match
 * is the exact one.
 */
export function feedValidators(kind: string, key: string, stamp: FeedStampRow): FeedValidators {
  const etag = computeEtag({
    kind,
    key,
    count: stamp.session_count,
    maxModified: stamp.last_modified,
    fingerprint: `${stamp.row_count}:${stamp.sequence_sum}:${stamp.stamp_sum}`,
  });
  return { etag, lastModified: stamp.last_modified ?? new Date(0) };
}

/**
 * The aggregates of feedStampSql, summed in JavaScript over the rows as a feed renders them, so
 * the ETag stored with a body is the one the validators query gives for the same rows. Timestamps
 * arrive as milliseconds; max and min commute with that truncation, so they match too.
 */
export class FeedStampSum {
  private rowCount = 0;
  private sessionCount = 0;
  private lastModified: Date | null = null;
  private firstStartsAt: Date | null = null;
  private sequenceSum = 0;
  /** Microseconds summed over up to 10,000 rows pass 2^53: exact only as a bigint. */
  private stampSum = 0n;

  add(row: FeedRow): void {
    this.rowCount++;
    // The one row of an event without sessions has every session column null.
    if (row.id !== null) this.sessionCount++;
    if (row.sequence !== null) this.sequenceSum += row.sequence;
    this.stampSum += BigInt(row.stamp);
    if (row.modified !== null && (this.lastModified === null || row.modified > this.lastModified)) this.lastModified = row.modified;
    if (row.starts_at !== null && (this.firstStartsAt === null || row.starts_at < this.firstStartsAt)) this.firstStartsAt = row.starts_at;
  }

  result(): FeedStampRow {
    return {
      row_count: this.rowCount,
      session_count: this.sessionCount,
      last_modified: this.lastModified,
      sequence_sum: String(this.sequenceSum),
      stamp_sum: this.stampSum.toString(),
      first_starts_at: this.firstStartsAt,
    };
  }
}

/** "name, address, city, region postalCode, country", skipping what is missing; else the online URL. */
export function formatLocation(venue: FeedVenue | null, onlineUrl: string | null): string | null {
  const part = (value: string | null | undefined): string => (typeof value === 'string' ? value.trim() : '');
  if (venue) {
    const regionLine = [part(venue.region), part(venue.postalCode)].filter(Boolean).join(' ');
    const text = [part(venue.name), part(venue.address), part(venue.city), regionLine, part(venue.country)].filter(Boolean).join(', ');
    if (text) return text;
  }
  return part(onlineUrl) || null;
}

export function sessionPageUrl(baseUrl: string, sessionId: string): string {
  return `${baseUrl}/sessions/${sessionId}`;
}

/** What a row needs to become a calendar session: a feed's row, or an outbox message's. */
type SessionFeedFields = Pick<
  FeedRow,
  | 'event_title'
  | 'event_summary'
  | 'event_description'
  | 'starts_at'
  | 'ends_at'
  | 'timezone'
  | 'venue'
  | 'online_url'
  | 'status'
  | 'sequence'
  | 'modified'
  | 'organizer'
>;

/** The renderer's view of one feed row (rows without a session, from an empty event, are not sessions). */
export function toCalendarSession(row: SessionFeedFields & { id: string }, baseUrl: string): CalendarSession {
  return {
    id: row.id,
    eventTitle: row.event_title,
    eventSummary: row.event_summary,
    eventDescription: row.event_description,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    timezone: row.timezone,
    location: formatLocation(row.venue, row.online_url),
    url: sessionPageUrl(baseUrl, row.id),
    status: row.status,
    sequence: row.sequence,
    lastModified: row.modified,
    organizer: row.organizer,
  };
}

export function hasSession(row: FeedRow): row is FeedRow & { id: string } {
  return row.id !== null;
}

/** "music" → "Music sessions"; the requested spelling is kept otherwise ("AI" → "AI sessions"). */
export function categoryCalendarName(category: string): string {
  return `${category.charAt(0).toUpperCase()}${category.slice(1)} sessions`;
}

const SLUG = /^[a-z0-9-]{1,120}$/;

export function isSlug(value: string): boolean {
  return SLUG.test(value);
}

/**
 * The name to look a category feed up by, or null for one no event can carry: a NUL, which no
 * PostgreSQL text holds (comparing with it is an error, not a miss). Every other name is looked up,
 * and one that no event has is an empty calendar.
 */
export function searchableCategory(name: string): string | null {
  return name.includes('\u0000') ? null : name;
}
