import { escape } from 'ical-generator';
import { IANAZone } from 'luxon';

/*
 * VTIMEZONE components built from the tz database that luxon reads through Intl; the transitions
 * found here also give DTSTART/DTEND their wall times (cachedOffsetZone), so a feed is self-consistent.
 * Observances are explicit (no RRULE): each used year starts with the offset in force on Jan 1,
 * followed by that year's transitions. Correct for any zone and any rule change between years.
 */

const CRLF = '\r\n';
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MAX_CACHE_ENTRIES = 2000;

interface Observance {
  /** Instant the observance starts. */
  at: number;
  /** Minutes east of UTC before and after `at`. */
  offsetFrom: number;
  offsetTo: number;
  daylight: boolean;
  name: string;
}

/** A zone's offset on Jan 1 (UTC) of a year, and the year's transitions after it. */
interface ZoneYear {
  startOffset: number;
  transitions: Observance[];
}

const yearCache = new Map<string, ZoneYear>();
const vtimezoneCache = new Map<string, string>();
const offsetZones = new Map<string, IANAZone>();

/** The VTIMEZONE for a valid IANA zone, covering the given UTC years; CRLF-terminated, unfolded. */
export function vtimezone(zone: string, years: Iterable<number>): string {
  const sorted = [...new Set(years)].sort((a, b) => a - b);
  const key = `${zone}|${sorted.join(',')}`;
  const cached = vtimezoneCache.get(key);
  if (cached !== undefined) return cached;

  const tz = IANAZone.create(zone);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`, `X-LIC-LOCATION:${zone}`];
  let previous: number | undefined;
  for (const year of sorted) {
    const { startOffset, transitions } = zoneYear(tz, year);
    if (previous !== year - 1) {
      const at = startOfYear(year);
      lines.push(
        ...observanceLines({
          at,
          offsetFrom: startOffset,
          offsetTo: startOffset,
          daylight: isDaylight(tz, at),
          name: offsetName(tz, at),
        }),
      );
    }
    for (const observance of transitions) lines.push(...observanceLines(observance));
    previous = year;
  }
  lines.push('END:VTIMEZONE');
  const text = lines.join(CRLF) + CRLF;
  remember(vtimezoneCache, key, text);
  return text;
}

/**
 * Whether the wall time of `at` occurs twice in `zone` (the hour a fall-back repeats). Such a
 * time written with TZID cannot name one instant: RFC 5545 means the first, pytz picks the second.
 */
export function isRepeatedWallTime(zone: string, at: number): boolean {
  const tz = IANAZone.create(zone);
  const year = new Date(at).getUTCFullYear();
  const years = [year];
  if (at - startOfYear(year) < DAY_MS) years.push(year - 1);
  if (startOfYear(year + 1) - at < DAY_MS) years.push(year + 1);
  return years.some((y) =>
    zoneYear(tz, y).transitions.some((t) => {
      const overlap = (t.offsetFrom - t.offsetTo) * MINUTE_MS;
      return overlap > 0 && at >= t.at - overlap && at < t.at + overlap;
    }),
  );
}

function observanceLines(o: Observance): string[] {
  const kind = o.daylight ? 'DAYLIGHT' : 'STANDARD';
  return [
    `BEGIN:${kind}`,
    // An observance's DTSTART is the local time as it was just before the change.
    `DTSTART:${basicDateTime(o.at + o.offsetFrom * MINUTE_MS)}`,
    `TZOFFSETFROM:${utcOffset(o.offsetFrom)}`,
    `TZOFFSETTO:${utcOffset(o.offsetTo)}`,
    `TZNAME:${escape(o.name, false)}`,
    `END:${kind}`,
  ];
}

/**
 * A luxon zone for `zone` (a valid IANA name) whose offsets come from the transitions found here
 * rather than from Intl, which costs a formatToParts per DateTime (most of a feed's rendering).
 * It equals luxon's own zone of that name, so ical-generator's setZone(name) keeps such a
 * DateTime as it is, and DTSTART/DTEND agree with the VTIMEZONE written for them by construction.
 */
export function cachedOffsetZone(zone: string): IANAZone {
  let cached = offsetZones.get(zone);
  if (!cached) {
    cached = new CachedOffsetZone(zone);
    remember(offsetZones, zone, cached);
  }
  return cached;
}

class CachedOffsetZone extends IANAZone {
  /** luxon's own zone, which the transitions are computed from. */
  private readonly intl: IANAZone;

  constructor(name: string) {
    super(name);
    this.intl = IANAZone.create(name);
  }

  override offset(ts: number): number {
    const year = new Date(ts).getUTCFullYear();
    if (Number.isNaN(year)) return NaN;
    const { startOffset, transitions } = zoneYear(this.intl, year);
    let offset = startOffset;
    for (const t of transitions) {
      if (ts < t.at) break;
      offset = t.offsetTo;
    }
    return offset;
  }
}

/** Offset changes in (Jan 1, next Jan 1] UTC: daily samples, then bisection to the minute. */
function zoneYear(tz: IANAZone, year: number): ZoneYear {
  const key = `${tz.name}|${year}`;
  const cached = yearCache.get(key);
  if (cached) return cached;
  const found: Observance[] = [];
  const end = startOfYear(year + 1);
  let t = startOfYear(year);
  let offset = tz.offset(t);
  const startOffset = offset;
  while (t < end) {
    const next = Math.min(t + DAY_MS, end);
    const nextOffset = tz.offset(next);
    if (nextOffset !== offset) {
      let lo = t;
      let hi = next;
      while (hi - lo > MINUTE_MS) {
        const mid = lo + Math.floor((hi - lo) / (2 * MINUTE_MS)) * MINUTE_MS;
        if (tz.offset(mid) === offset) lo = mid;
        else hi = mid;
      }
      found.push({
        at: hi,
        offsetFrom: offset,
        offsetTo: nextOffset,
        daylight: isDaylight(tz, hi),
        name: offsetName(tz, hi),
      });
    }
    t = next;
    offset = nextOffset;
  }
  const result: ZoneYear = { startOffset, transitions: found };
  remember(yearCache, key, result);
  return result;
}

/** Cosmetic (parsers only use the offsets): CLDR's long name when there is one, else the offset. */
function isDaylight(tz: IANAZone, at: number): boolean {
  const longName = tz.offsetName(at, { format: 'long', locale: 'en-US' }) ?? '';
  if (longName && !longName.startsWith('GMT')) return /Daylight|Summer/.test(longName);
  const year = new Date(at).getUTCFullYear();
  const january = tz.offset(startOfYear(year));
  const july = tz.offset(startOfYear(year) + 181 * DAY_MS);
  return tz.offset(at) > Math.min(january, july);
}

function offsetName(tz: IANAZone, at: number): string {
  return tz.offsetName(at, { format: 'short', locale: 'en-US' }) ?? utcOffset(tz.offset(at));
}

/** Date.UTC() would read years 0..99 as 1900..1999. */
function startOfYear(year: number): number {
  return new Date(0).setUTCFullYear(year, 0, 1);
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
