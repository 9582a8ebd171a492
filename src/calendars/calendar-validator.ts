import { createHash } from 'node:crypto';

export interface EtagParts {
  /** Which feed: 'session', 'event', 'all', 'category', 'registration'. */
  kind: string;
  /** What else selects or shapes the output (id, category, base URL...). */
  key: string;
  count: number;
  maxModified: Date | null;
  maxSequence?: number;
  /** Anything else that changes with the content (e.g. sums of row timestamps), compared exactly. */
  fingerprint?: string;
}

/** Bump when the rendered bytes change for the same data, so caches don't keep stale feeds. */
const FORMAT_VERSION = 'ics-1';

/**
 * Strong validator for a feed. The renderer is deterministic (no "now" in the output), so the
 * same parts always mean byte-identical bodies.
 */
export function computeEtag(parts: EtagParts): string {
  const material = [
    FORMAT_VERSION,
    parts.kind,
    parts.key,
    String(parts.count),
    parts.maxModified ? String(parts.maxModified.getTime()) : '-',
    String(parts.maxSequence ?? '-'),
    parts.fingerprint ?? '-',
  ].join('\u0000');
  const digest = createHash('sha256').update(material).digest('base64url');
  return `"${digest.slice(0, 27)}"`;
}

export interface ConditionalHeaders {
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

/**
 * RFC 9110 §13.2.2 for GET/HEAD: If-None-Match (weak comparison, lists, `*`) decides when present;
 * otherwise If-Modified-Since, compared at one-second precision. Unparseable values are ignored.
 */
export function isNotModified(headers: ConditionalHeaders, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = headers.ifNoneMatch?.trim();
  if (ifNoneMatch) {
    if (ifNoneMatch === '*') return true;
    const ours = opaqueTag(etag);
    return parseEntityTags(ifNoneMatch).some((tag) => tag === ours);
  }
  if (headers.ifModifiedSince === undefined) return false;
  const since = parseHttpDate(headers.ifModifiedSince);
  if (since === null) return false;
  return Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

/** The opaque-tag (with its quotes) of each entity-tag in a list; weak tags lose their `W/`. */
export function parseEntityTags(value: string): string[] {
  const tags: string[] = [];
  let i = 0;
  while (i < value.length) {
    const c = value[i];
    if (c === ' ' || c === '\t' || c === ',') {
      i++;
      continue;
    }
    if (value.startsWith('W/"', i)) i += 2;
    if (value[i] !== '"') break; // malformed: keep what parsed so far
    const close = value.indexOf('"', i + 1);
    if (close === -1) break;
    tags.push(value.slice(i, close + 1));
    i = close + 1;
  }
  return tags;
}

function opaqueTag(etag: string): string {
  return etag.startsWith('W/') ? etag.slice(2) : etag;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/** HTTP-date (RFC 9110 §5.6.7) in any of its three forms, as epoch milliseconds; null if invalid. */
export function parseHttpDate(value: string): number | null {
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(+m[3], m[2], +m[1], +m[4], +m[5], +m[6]);
  m = RFC850_DATE.exec(text);
  if (m) {
    // Two-digit years: RFC 9110 says read them as the most recent year with those digits,
    // not more than 50 years in the future; anchoring on 1970..2069 is close enough for caching.
    const yy = +m[3];
    return utc(yy < 70 ? 2000 + yy : 1900 + yy, m[2], +m[1], +m[4], +m[5], +m[6]);
  }
  m = ASCTIME_DATE.exec(text);
  if (m) return utc(+m[6], m[1], +m[2].trim(), +m[3], +m[4], +m[5]);
  return null;
}

function utc(year: number, monthName: string, day: number, hour: number, minute: number, second: number): number | null {
  const month = MONTHS.indexOf(monthName);
  if (month === -1 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  return new Date(ms).getUTCDate() === day ? ms : null; // rejects e.g. 31 Feb
}
