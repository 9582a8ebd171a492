/**
 * Whether two iCalendar feeds say the same thing. Lines are unfolded (where a line is folded
 * depends on the length of each target's own address), each target's address is read as HOST,
 * DTSTAMP is left out (a feed may stamp "now"), and a component's properties are compared as a
 * set. VTIMEZONEs are compared by what a parser uses (TZID, and each observance's start and
 * offsets; TZNAME and STANDARD/DAYLIGHT are labels), and every TZID an event uses must have one.
 */
export interface ParsedFeed {
  /** Properties of the VCALENDAR itself. */
  calendar: string[];
  /** Each VEVENT's properties, sorted, in feed order. */
  events: string[][];
  /** TZID → its observances as "DTSTART|TZOFFSETFROM|TZOFFSETTO", sorted. */
  timezones: Map<string, string[]>;
  /** TZIDs that events refer to. */
  usedZones: Set<string>;
}

export function parseFeed(text: string, host: string): ParsedFeed {
  const lines = text
    .replace(/\r\n[ \t]/g, '')
    .split(host)
    .join('HOST')
    .split(encodeURIComponent(host))
    .join('HOST')
    .split('\r\n')
    .filter((l) => l.length > 0);
  const feed: ParsedFeed = { calendar: [], events: [], timezones: new Map(), usedZones: new Set() };
  const stack: string[] = [];
  let props: string[] = [];
  let tzid = '';
  let observance: Record<string, string> = {};
  for (const line of lines) {
    const [name] = /^[^:;]+/.exec(line) ?? [''];
    const value = line.slice(line.indexOf(':') + 1);
    if (name === 'BEGIN') {
      stack.push(value);
      if (value === 'VEVENT') props = [];
      if (value === 'VTIMEZONE') tzid = '';
      if (value === 'STANDARD' || value === 'DAYLIGHT') observance = {};
      continue;
    }
    if (name === 'END') {
      stack.pop();
      if (value === 'VEVENT') feed.events.push(props.sort());
      if (value === 'STANDARD' || value === 'DAYLIGHT') {
        const list = feed.timezones.get(tzid) ?? [];
        list.push(`${observance.DTSTART}|${observance.TZOFFSETFROM}|${observance.TZOFFSETTO}`);
        feed.timezones.set(tzid, list.sort());
      }
      continue;
    }
    if (name === 'DTSTAMP') continue;
    const inside = stack[stack.length - 1];
    if (inside === 'VCALENDAR') feed.calendar.push(line);
    else if (inside === 'VEVENT') {
      props.push(line);
      const zone = /;TZID=([^;:]+)/.exec(line);
      if (zone) feed.usedZones.add(zone[1]);
    } else if (inside === 'VTIMEZONE' && name === 'TZID') {
      tzid = value;
      feed.timezones.set(tzid, feed.timezones.get(tzid) ?? []);
    } else if (inside === 'STANDARD' || inside === 'DAYLIGHT') observance[name] = value;
  }
  feed.calendar.sort();
  return feed;
}

/** What differs between two parsed feeds, or null. */
export function feedDifference(a: ParsedFeed, b: ParsedFeed, names: [string, string]): string | null {
  for (const [feed, name] of [
    [a, names[0]],
    [b, names[1]],
  ] as const) {
    const missing = [...feed.usedZones].filter((z) => !feed.timezones.has(z));
    if (missing.length > 0) return `${name} carries no VTIMEZONE for ${missing.join(', ')}`;
    if (feed.events.length === 0) return `${name} answered a feed without events`;
  }
  const calendar = firstDifference(a.calendar, b.calendar);
  if (calendar) return `calendar properties differ: ${names[0]} ${calendar[0]} / ${names[1]} ${calendar[1]}`;
  if (a.events.length !== b.events.length) return `${names[0]} has ${a.events.length} events, ${names[1]} ${b.events.length}`;
  for (let i = 0; i < a.events.length; i++) {
    const d = firstDifference(a.events[i], b.events[i]);
    if (d) return `event ${i + 1} differs: ${names[0]} ${d[0]} / ${names[1]} ${d[1]}`;
  }
  const zones = firstDifference([...a.timezones.keys()].sort(), [...b.timezones.keys()].sort());
  if (zones) return `VTIMEZONEs differ: ${names[0]} ${zones[0]} / ${names[1]} ${zones[1]}`;
  for (const [zone, observances] of a.timezones) {
    const d = firstDifference(observances, b.timezones.get(zone) ?? []);
    if (d) return `VTIMEZONE ${zone} differs: ${names[0]} ${d[0]} / ${names[1]} ${d[1]}`;
  }
  return null;
}

function firstDifference(a: string[], b: string[]): [string, string] | null {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return [a[i] ?? '(nothing)', b[i] ?? '(nothing)'];
  }
  return null;
}
