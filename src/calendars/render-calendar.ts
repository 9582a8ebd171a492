import { ICalCalendar, ICalEventStatus, ICalEventTransparency, escape } from 'ical-generator';
import { DateTime, IANAZone } from 'luxon';

export interface CalendarSession {
  id: string;
  eventTitle: string;
  eventSummary: string | null;
  eventDescription: string | null;
  startsAt: Date;
  endsAt: Date;
  /** IANA zone the session is held in; DTSTART/DTEND are written in it. */
  timezone: string;
  /** Already-formatted venue text or online URL. */
  location: string | null;
  /** Absolute URL of the session page. */
  url: string;
  status: 'scheduled' | 'cancelled';
  sequence: number;
  /** max(session.updated_at, event.updated_at); also used as DTSTAMP so output never depends on "now". */
  lastModified: Date;
  organizer: string | null;
}

export interface CalendarInput {
  name: string;
  description?: string;
  url?: string;
  sessions: CalendarSession[];
}

const PRODID = '-//Eventline//Eventline//EN';
const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;
const DAY_MS = 86_400_000;

/**
 * Renders sessions as an RFC 5545 feed. ical-generator serialises each VEVENT; the envelope,
 * VTIMEZONEs and folding are ours because its calendar toString() folds by UTF-16 units
 * (splitting `\n` escapes), leaves NAME unescaped, omits the final CRLF and is slow on big feeds.
 */
export function renderCalendar(input: CalendarInput): string {
  const sessions = [...input.sessions].sort(bySessionOrder);
  const factory = new ICalCalendar();
  const yearsByZone = new Map<string, Set<number>>();
  const events: string[] = [];

  for (const session of sessions) {
    const zone = calendarZone(session);
    if (zone) {
      const years = yearsByZone.get(zone) ?? new Set<number>();
      years.add(session.startsAt.getUTCFullYear()).add(session.endsAt.getUTCFullYear());
      yearsByZone.set(zone, years);
    }
    const cancelled = session.status === 'cancelled';
    const event = factory.createEvent({
      id: `${session.id}@eventline`,
      sequence: session.sequence,
      stamp: session.lastModified,
      lastModified: session.lastModified,
      // Zone-aware values: ical-generator reads a plain Date in the process's local zone.
      start: DateTime.fromMillis(session.startsAt.getTime(), { zone: 'utc' }),
      end: DateTime.fromMillis(session.endsAt.getTime(), { zone: 'utc' }),
      timezone: zone ?? 'UTC',
      summary: cleanText(session.eventTitle),
      description: cleanText(describe(session)),
      location: session.location ? cleanText(session.location) : null,
      // ical-generator TEXT-escapes URL;VALUE=URI, which would corrupt `,` `;` `\` in a URI.
      url: uriValue(session.url),
      status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      transparency: cancelled ? ICalEventTransparency.TRANSPARENT : null,
    });
    events.push(event.toString());
  }

  const head = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODID}`,
    'CALSCALE:GREGORIAN',
    `NAME:${textValue(input.name)}`,
    `X-WR-CALNAME:${textValue(input.name)}`,
  ];
  if (input.description) {
    head.push(`DESCRIPTION:${textValue(input.description)}`, `X-WR-CALDESC:${textValue(input.description)}`);
  }
  if (input.url) head.push(`URL;VALUE=URI:${uriValue(input.url)}`);
  head.push('REFRESH-INTERVAL;VALUE=DURATION:PT1H', 'X-PUBLISHED-TTL:PT1H');

  const zones = [...yearsByZone.keys()].sort();
  const timezones = zones.map((zone) => vtimezone(zone, [...(yearsByZone.get(zone) ?? [])]));

  return foldLines(head.join(CRLF) + CRLF + timezones.join('') + events.join('') + 'END:VCALENDAR' + CRLF);
}

function bySessionOrder(a: CalendarSession, b: CalendarSession): number {
  const byStart = a.startsAt.getTime() - b.startsAt.getTime();
  if (byStart !== 0) return byStart;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The TZID to write, or null for UTC (ical-generator then writes `...Z`, no VTIMEZONE needed).
 * A wall time repeated by a fall-back transition cannot name its instant (parsers disagree on
 * which one is meant), so such sessions are written in UTC.
 */
function calendarZone(session: CalendarSession): string | null {
  const { timezone } = session;
  if (timezone === 'UTC') return null;
  const tz = IANAZone.create(timezone); // cached by luxon; isValidZone() is not, and is slow
  if (!tz.isValid) return null;
  if (isRepeatedWallTime(tz, session.startsAt.getTime()) || isRepeatedWallTime(tz, session.endsAt.getTime())) {
    return null;
  }
  return timezone;
}

function isRepeatedWallTime(tz: IANAZone, at: number): boolean {
  const year = new Date(at).getUTCFullYear();
  const years = [year];
  if (at - Date.UTC(year, 0, 1) < DAY_MS) years.push(year - 1);
  if (Date.UTC(year + 1, 0, 1) - at < DAY_MS) years.push(year + 1);
  return years.some((y) =>
    yearTransitions(tz, y).some((t) => {
      const overlap = (t.offsetFrom - t.offsetTo) * 60_000;
      return overlap > 0 && at >= t.at - overlap && at < t.at + overlap;
    }),
  );
}

function describe(session: CalendarSession): string {
  const parts: string[] = [];
  if (session.eventSummary) parts.push(session.eventSummary);
  if (session.eventDescription && session.eventDescription !== session.eventSummary) {
    parts.push(session.eventDescription);
  }
  // ORGANIZER needs a mailto: address; we only have a display name.
  if (session.organizer) parts.push(`Organizer: ${session.organizer}`);
  parts.push(session.url);
  return parts.join('\n\n');
}

/** TEXT may not hold control characters other than HTAB (CR/LF become `\n` when escaped). */
function cleanText(value: string): string {
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
}

function textValue(value: string): string {
  return escape(cleanText(value), false);
}

function uriValue(value: string): string {
  return value.replace(/[\u0000-\u0020\u007F]/g, '').replace(/[\\;,]/g, (c) => encodeURIComponent(c));
}

/**
 * Folds every content line to at most 75 octets (RFC 5545 §3.1). Never breaks inside a UTF-8
 * sequence, a surrogate pair or a backslash escape. Expects CRLF line endings.
 */
export function foldLines(text: string): string {
  const lines = text.split(CRLF);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length > MAX_LINE_OCTETS / 3 && Buffer.byteLength(line, 'utf8') > MAX_LINE_OCTETS) {
      lines[i] = foldLine(line);
    }
  }
  return lines.join(CRLF);
}

function foldLine(line: string): string {
  const pieces: string[] = [];
  let pieceStart = 0;
  let octets = 0;
  let limit = MAX_LINE_OCTETS;
  let i = 0;
  while (i < line.length) {
    let unitEnd = i;
    let unitOctets = 0;
    if (line.charCodeAt(i) === 0x5c && i + 1 < line.length) {
      unitEnd++;
      unitOctets++;
    }
    const codePoint = line.codePointAt(unitEnd) ?? 0;
    unitEnd += codePoint > 0xffff ? 2 : 1;
    unitOctets += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    if (octets + unitOctets > limit) {
      pieces.push(line.slice(pieceStart, i));
      pieceStart = i;
      octets = 0;
      limit = MAX_LINE_OCTETS - 1; // the leading space of a continuation line counts
    }
    octets += unitOctets;
    i = unitEnd;
  }
  pieces.push(line.slice(pieceStart));
  return pieces.join(CRLF + ' ');
}

interface Observance {
  at: number; // instant the observance starts
  offsetFrom: number; // minutes east of UTC before it
  offsetTo: number;
  daylight: boolean;
  name: string;
}

const MAX_CACHE_ENTRIES = 2000;
const transitionCache = new Map<string, Observance[]>();
const vtimezoneCache = new Map<string, string>();

/**
 * VTIMEZONE for `zone` covering the given UTC years, built from the same tz database (via
 * luxon/Intl) that converts DTSTART/DTEND, so the feed is self-consistent. Each used year
 * starts with its offset in force on Jan 1 (unless the previous year is included), followed
 * by that year's transitions as explicit observances.
 */
export function vtimezone(zone: string, years: number[]): string {
  const sorted = [...new Set(years)].sort((a, b) => a - b);
  const key = `${zone}|${sorted.join(',')}`;
  const cached = vtimezoneCache.get(key);
  if (cached !== undefined) return cached;

  const tz = IANAZone.create(zone);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`, `X-LIC-LOCATION:${zone}`];
  let previous: number | undefined;
  for (const year of sorted) {
    if (previous !== year - 1) {
      const at = Date.UTC(year, 0, 1);
      const offset = tz.offset(at);
      lines.push(...observanceLines({ at, offsetFrom: offset, offsetTo: offset, daylight: isDaylight(tz, at), name: offsetName(tz, at) }));
    }
    for (const observance of yearTransitions(tz, year)) lines.push(...observanceLines(observance));
    previous = year;
  }
  lines.push('END:VTIMEZONE');
  const text = lines.join(CRLF) + CRLF;
  remember(vtimezoneCache, key, text);
  return text;
}

function observanceLines(o: Observance): string[] {
  const kind = o.daylight ? 'DAYLIGHT' : 'STANDARD';
  return [
    `BEGIN:${kind}`,
    // DTSTART of an observance is local time as it was just before the change.
    `DTSTART:${basicDateTime(o.at + o.offsetFrom * 60_000)}`,
    `TZOFFSETFROM:${utcOffset(o.offsetFrom)}`,
    `TZOFFSETTO:${utcOffset(o.offsetTo)}`,
    `TZNAME:${textValue(o.name)}`,
    `END:${kind}`,
  ];
}

/** Offset changes in (Jan 1, next Jan 1] UTC: daily samples, then bisection to the minute. */
function yearTransitions(tz: IANAZone, year: number): Observance[] {
  const key = `${tz.name}|${year}`;
  const cached = transitionCache.get(key);
  if (cached) return cached;
  const found: Observance[] = [];
  const end = Date.UTC(year + 1, 0, 1);
  let t = Date.UTC(year, 0, 1);
  let offset = tz.offset(t);
  while (t < end) {
    const next = Math.min(t + DAY_MS, end);
    const nextOffset = tz.offset(next);
    if (nextOffset !== offset) {
      let lo = t;
      let hi = next;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (tz.offset(mid) === offset) lo = mid;
        else hi = mid;
      }
      found.push({ at: hi, offsetFrom: offset, offsetTo: nextOffset, daylight: isDaylight(tz, hi), name: offsetName(tz, hi) });
    }
    t = next;
    offset = nextOffset;
  }
  remember(transitionCache, key, found);
  return found;
}

function isDaylight(tz: IANAZone, at: number): boolean {
  const year = new Date(at).getUTCFullYear();
  return tz.offset(at) > Math.min(tz.offset(Date.UTC(year, 0, 1)), tz.offset(Date.UTC(year, 6, 1)));
}

function offsetName(tz: IANAZone, at: number): string {
  return tz.offsetName(at, { format: 'short', locale: 'en-US' }) ?? utcOffset(tz.offset(at));
}

function basicDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15);
}

function utcOffset(minutes: number): string {
  const seconds = Math.round(Math.abs(minutes) * 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hhmm = pad(Math.floor(seconds / 3600)) + pad(Math.floor(seconds / 60) % 60);
  return (minutes < 0 ? '-' : '+') + hhmm + (seconds % 60 ? pad(seconds % 60) : '');
}

function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= MAX_CACHE_ENTRIES) cache.clear();
  cache.set(key, value);
}
