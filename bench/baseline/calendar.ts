import type { Pool } from 'pg';
import { basicDateTime, Zone } from './zones';

/**
 * `GET /calendars/all.ics` written by hand: one prepared query for the rows (the service's
 * window, order and 10,000-session cap), then each VEVENT as strings, with a VTIMEZONE for every
 * zone used. The same calendar as the service's, checked before measuring (see
 * lib/ical-compare.ts); no cache, so every request renders.
 */
interface FeedRow {
  id: string;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  sequence: number;
  modified: Date;
  cancelled: boolean;
  venue: Record<string, string | null | undefined> | null;
  online_url: string | null;
  title: string;
  summary: string | null;
  description: string | null;
  organizer: string | null;
}

export interface Feed {
  etag: string;
  lastModified: Date;
  /** Null when the client's If-None-Match already matches. */
  body: Buffer | null;
}

const FEED_ROWS = {
  name: 'feed-all',
  text: `SELECT s.id, s.starts_at, s.ends_at, s.timezone, s.sequence, greatest(s.updated_at, e.updated_at) AS modified,
                s.status = 'cancelled' OR e.status = 'cancelled' AS cancelled, COALESCE(s.venue, e.venue) AS venue,
                e.online_url, e.title, e.summary, e.description, e.organizer
           FROM sessions s JOIN events e ON e.id = s.event_id
          WHERE e.status IN ('published', 'cancelled') AND s.starts_at >= now() - interval '720 hours'
          ORDER BY s.starts_at, s.id LIMIT 10000`,
};

const CRLF = '\r\n';

export async function allSessionsFeed(pool: Pool, ifNoneMatch: string | undefined, baseUrl: string): Promise<Feed> {
  const { rows } = await pool.query<FeedRow>(FEED_ROWS);
  // A validator from the rows themselves: any edit moves `modified`, any session in or out moves the count or ids.
  let hash = 0x811c9dc5;
  let last = 0;
  for (const r of rows) {
    const modified = r.modified.getTime();
    if (modified > last) last = modified;
    hash =
      Math.imul(hash ^ modified, 0x01000193) ^ Math.imul(parseInt(r.id.slice(0, 8), 16) + r.sequence + (r.cancelled ? 1 : 0), 0x01000193);
  }
  const etag = `"all-${rows.length}-${last}-${(hash >>> 0).toString(36)}"`;
  const lastModified = new Date(last);
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
    return { etag, lastModified, body: null };
  }
  return { etag, lastModified, body: render(rows, baseUrl) };
}

function render(rows: FeedRow[], baseUrl: string): Buffer {
  const events: string[] = [];
  const zones = new Map<Zone, Set<number>>();
  for (const r of rows) {
    const start = r.starts_at.getTime();
    const end = r.ends_at.getTime();
    if (!representable(r.starts_at) || !representable(r.ends_at) || !representable(r.modified)) continue;
    let zone = Zone.of(r.timezone);
    if (zone && (zone.isRepeated(start) || zone.isRepeated(end))) zone = null;
    if (zone) {
      const years = zones.get(zone) ?? new Set<number>();
      zones.set(zone, years.add(r.starts_at.getUTCFullYear()).add(r.ends_at.getUTCFullYear()));
    }
    const url = uri(`${baseUrl}/sessions/${r.id}`);
    const stamp = basicDateTime(r.modified.getTime());
    events.push(
      'BEGIN:VEVENT',
      `UID:${r.id}@eventline`,
      `SEQUENCE:${r.sequence}`,
      `DTSTAMP:${stamp}`,
      zone ? `DTSTART;TZID=${zone.name}:${wallTime(zone, start)}` : `DTSTART:${basicDateTime(start)}`,
      zone ? `DTEND;TZID=${zone.name}:${wallTime(zone, end)}` : `DTEND:${basicDateTime(end)}`,
      fold(`SUMMARY:${text(r.title)}`),
    );
    if (r.cancelled) events.push('TRANSP:TRANSPARENT');
    const location = locationOf(r);
    if (location) events.push(fold(`LOCATION:${text(location)}`));
    events.push(
      fold(`DESCRIPTION:${text(descriptionOf(r, url))}`),
      fold(`URL;VALUE=URI:${url}`),
      r.cancelled ? 'STATUS:CANCELLED' : 'STATUS:CONFIRMED',
      `LAST-MODIFIED:${stamp}`,
      'END:VEVENT',
    );
  }
  const name = text('Eventline — all sessions');
  const description = text('Every session of every published event on Eventline, from 30 days ago on');
  const head = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Eventline//Eventline//EN',
    'CALSCALE:GREGORIAN',
    `NAME:${name}`,
    `X-WR-CALNAME:${name}`,
    fold(`DESCRIPTION:${description}`),
    fold(`X-WR-CALDESC:${description}`),
    fold(`URL;VALUE=URI:${uri(`${baseUrl}/calendars/all.ics`)}`),
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
    'X-PUBLISHED-TTL:PT1H',
    '',
  ].join(CRLF);
  const timezones = [...zones]
    .sort(([a], [b]) => (a.name < b.name ? -1 : 1))
    .map(([zone, years]) => zone.vtimezone([...years].sort((a, b) => a - b)))
    .join('');
  return Buffer.from(`${head}${timezones}${events.join(CRLF)}${CRLF}END:VCALENDAR${CRLF}`, 'utf8');
}

const representable = (d: Date): boolean => d.getUTCFullYear() > 1 && d.getUTCFullYear() < 9999;

/** The local wall time of `at` in `zone`, basic form without Z. */
function wallTime(zone: Zone, at: number): string {
  return basicDateTime(at + zone.offset(at) * 60_000).slice(0, 15);
}

function locationOf(r: FeedRow): string | null {
  const part = (v: string | null | undefined): string => (typeof v === 'string' ? v.trim() : '');
  const v = r.venue;
  if (v) {
    const region = [part(v.region), part(v.postalCode)].filter(Boolean).join(' ');
    const line = [part(v.name), part(v.address), part(v.city), region, part(v.country)].filter(Boolean).join(', ');
    if (line) return line;
  }
  return part(r.online_url) || null;
}

function descriptionOf(r: FeedRow, url: string): string {
  const parts: string[] = [];
  if (r.summary) parts.push(r.summary);
  if (r.description && r.description !== r.summary) parts.push(r.description);
  if (r.organizer) parts.push(`Organizer: ${r.organizer}`);
  parts.push(url);
  return parts.join('\n\n');
}

// eslint-disable-next-line no-control-regex -- TEXT holds no control characters but HTAB and line breaks
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** RFC 5545 TEXT: backslash, semicolon and comma escaped, line breaks as \n. */
function text(value: string): string {
  return value
    .replace(CONTROLS, '')
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** A URI value holds no controls or spaces, and no characters that TEXT would escape. */
function uri(value: string): string {
  // eslint-disable-next-line no-control-regex -- see above
  return value.replace(/[\u0000-\u0020\u007F]/g, '').replace(/[\\;,]/g, (c) => encodeURIComponent(c));
}

/** Content lines of at most 75 octets (RFC 5545 §3.1), never splitting a UTF-8 sequence. */
function fold(line: string): string {
  if (!/[\u0080-\uffff]/.test(line)) {
    let out = line.slice(0, 75);
    for (let i = 75; i < line.length; i += 74) out += `${CRLF} ${line.slice(i, i + 74)}`;
    return out;
  }
  const pieces: string[] = [];
  let start = 0;
  let octets = 0;
  let limit = 75;
  for (let i = 0; i < line.length;) {
    const code = line.codePointAt(i)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (octets + width > limit) {
      pieces.push(line.slice(start, i));
      start = i;
      octets = 0;
      limit = 74;
    }
    octets += width;
    i += code > 0xffff ? 2 : 1;
  }
  pieces.push(line.slice(start));
  return pieces.join(`${CRLF} `);
}
