/**
 * Time zones for the baseline's feed, straight from Intl (the tz database Node ships): each used
 * zone-year's offset changes are found once (daily samples, then bisection to the minute) and
 * kept, so writing a session's wall time is a lookup. The same rules as the service's feed:
 * explicit observances per used year, and a wall time that a fall-back repeats written in UTC.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

interface Transition {
  at: number;
  /** Minutes east of UTC before and after `at`. */
  from: number;
  to: number;
}

interface Year {
  /** Offset at 00:00 UTC on January 1. */
  start: number;
  transitions: Transition[];
}

/** Date.UTC() would read years 0..99 as 1900..1999. */
const startOfYear = (year: number): number => new Date(0).setUTCFullYear(year, 0, 1);

export class Zone {
  private readonly parts: Intl.DateTimeFormat;
  private readonly names: Intl.DateTimeFormat;
  private readonly years = new Map<number, Year>();
  private readonly blocks = new Map<string, string>();

  private constructor(readonly name: string) {
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    this.names = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'short' });
  }

  private static readonly known = new Map<string, Zone | null>();

  /** The zone, or null for UTC and for names the tz database does not know (their sessions are written in UTC). */
  static of(name: string): Zone | null {
    let zone = Zone.known.get(name);
    if (zone === undefined) {
      try {
        zone = name === 'UTC' ? null : new Zone(name);
      } catch {
        zone = null;
      }
      Zone.known.set(name, zone);
    }
    return zone;
  }

  /** Minutes east of UTC at instant `at`. */
  offset(at: number): number {
    const year = this.year(new Date(at).getUTCFullYear());
    let offset = year.start;
    for (const t of year.transitions) if (at >= t.at) offset = t.to;
    return offset;
  }

  /** Whether the wall time of `at` happens twice (the hour a fall-back repeats). */
  isRepeated(at: number): boolean {
    const y = new Date(at).getUTCFullYear();
    const years = [y];
    if (at - startOfYear(y) < DAY_MS) years.push(y - 1);
    if (startOfYear(y + 1) - at < DAY_MS) years.push(y + 1);
    return years.some((year) =>
      this.year(year).transitions.some((t) => {
        const overlap = (t.from - t.to) * MINUTE_MS;
        return overlap > 0 && at >= t.at - overlap && at < t.at + overlap;
      }),
    );
  }

  /** The VTIMEZONE covering `years` (ascending), CRLF-terminated. */
  vtimezone(years: number[]): string {
    const key = years.join(',');
    const known = this.blocks.get(key);
    if (known) return known;
    const lines = ['BEGIN:VTIMEZONE', `TZID:${this.name}`, `X-LIC-LOCATION:${this.name}`];
    let previous: number | undefined;
    for (const y of years) {
      const year = this.year(y);
      if (previous !== y - 1) lines.push(...this.observance({ at: startOfYear(y), from: year.start, to: year.start }));
      for (const t of year.transitions) lines.push(...this.observance(t));
      previous = y;
    }
    lines.push('END:VTIMEZONE', '');
    const block = lines.join('\r\n');
    this.blocks.set(key, block);
    return block;
  }

  private observance(t: Transition): string[] {
    const jan = this.year(new Date(t.at).getUTCFullYear()).start;
    const july = this.measure(startOfYear(new Date(t.at).getUTCFullYear()) + 181 * DAY_MS);
    const kind = t.to > Math.min(jan, july) ? 'DAYLIGHT' : 'STANDARD';
    const name = this.names.formatToParts(t.at).find((p) => p.type === 'timeZoneName')?.value ?? utcOffset(t.to);
    return [
      `BEGIN:${kind}`,
      `DTSTART:${basicDateTime(t.at + t.from * MINUTE_MS).slice(0, 15)}`,
      `TZOFFSETFROM:${utcOffset(t.from)}`,
      `TZOFFSETTO:${utcOffset(t.to)}`,
      `TZNAME:${name}`,
      `END:${kind}`,
    ];
  }

  private year(y: number): Year {
    let year = this.years.get(y);
    if (year) return year;
    const end = startOfYear(y + 1);
    let t = startOfYear(y);
    let offset = this.measure(t);
    year = { start: offset, transitions: [] };
    while (t < end) {
      const next = Math.min(t + DAY_MS, end);
      const nextOffset = this.measure(next);
      if (nextOffset !== offset) {
        let lo = t;
        let hi = next;
        while (hi - lo > MINUTE_MS) {
          const mid = lo + Math.floor((hi - lo) / (2 * MINUTE_MS)) * MINUTE_MS;
          if (this.measure(mid) === offset) lo = mid;
          else hi = mid;
        }
        year.transitions.push({ at: hi, from: offset, to: nextOffset });
      }
      t = next;
      offset = nextOffset;
    }
    this.years.set(y, year);
    return year;
  }

  /** The offset as Intl tells it (slow: only to find transitions). */
  private measure(at: number): number {
    const p: Record<string, number> = {};
    for (const part of this.parts.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const wall = new Date(0).setUTCFullYear(p.year, p.month - 1, p.day) + ((p.hour * 60 + p.minute) * 60 + p.second) * 1000;
    return Math.round((wall - (at - (at % 1000))) / MINUTE_MS);
  }
}

/** `20270328T013000Z` without the Z: the basic ISO form, to the second. */
export function basicDateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

function utcOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}
