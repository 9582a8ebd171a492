import {
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendar,
  ICalEvent,
  ICalEventStatus,
  ICalEventTransparency,
  escape,
} from 'ical-generator';
import { DateTime, IANAZone } from 'luxon';
import { cachedOffsetZone, isRepeatedWallTime, vtimezone } from './vtimezone';
import type { SessionStatus } from '../events/session.entity';

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
  status: SessionStatus;
  sequence: number;
  /** max(session.updated_at, event.updated_at); also used as DTSTAMP so output never depends on "now". */
  lastModified: Date;
  organizer: string | null;
  /** iMIP only (an invitation by mail): who sends it, as ORGANIZER; the display name is `organizer`. */
  organizerEmail?: string;
  /** iMIP only: the one person invited, as ATTENDEE. */
  attendee?: { name: string; email: string };
}

/** What a feed says about itself. */
export interface CalendarHeader {
  name: string;
  description?: string;
  url?: string;
  /** iTIP method (RFC 5546), for a calendar sent by mail; feeds have none. */
  method?: 'REQUEST' | 'CANCEL';
}

export interface CalendarInput extends CalendarHeader {
  sessions: CalendarSession[];
}

const PRODID = '-//Eventline//Eventline//EN';
const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;

/**
 * Renders sessions as an RFC 5545 feed: same input, same bytes. ical-generator serialises each
 * VEVENT; the envelope, VTIMEZONEs and folding are ours because its calendar toString() splits
 * `\n` escapes when folding, leaves NAME unescaped, omits the final CRLF and takes ~1 s for
 * 2,000 events (a TextEncoder per character).
 */
export function renderCalendar(input: CalendarInput): string {
  const writer = new CalendarWriter();
  writer.add(input.sessions.filter(isRepresentable).sort(bySessionOrder));
  return writer.finish(input).toString('utf8');
}

/**
 * A feed written a batch of sessions at a time, for feeds too large to hold as rows: each batch
 * becomes bytes at once, so memory holds one batch's objects and the bytes so far. Sessions are
 * written in the order given; the header (with a VTIMEZONE for every zone used) comes last.
 */
export class CalendarWriter {
  /** Owns the events' settings; createEvent() would also keep every event until the end. */
  private readonly factory = new ICalCalendar();
  private readonly yearsByZone = new Map<string, Set<number>>();
  private readonly chunks: Buffer[] = [];

  add(sessions: CalendarSession[]): void {
    const events: string[] = [];
    for (const session of sessions) {
      if (!isRepresentable(session)) continue;
      const zone = calendarZone(session);
      if (zone) {
        const years = this.yearsByZone.get(zone) ?? new Set<number>();
        years.add(session.startsAt.getUTCFullYear()).add(session.endsAt.getUTCFullYear());
        this.yearsByZone.set(zone, years);
      }
      events.push(foldLines(this.event(session, zone).toString()));
    }
    if (events.length > 0) this.chunks.push(Buffer.from(events.join(''), 'utf8'));
  }

  finish(header: CalendarHeader): Buffer {
    const head = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      `PRODID:${PRODID}`,
      'CALSCALE:GREGORIAN',
      ...(header.method ? [`METHOD:${header.method}`] : []),
      `NAME:${textValue(header.name)}`,
      `X-WR-CALNAME:${textValue(header.name)}`,
    ];
    if (header.description) {
      head.push(`DESCRIPTION:${textValue(header.description)}`, `X-WR-CALDESC:${textValue(header.description)}`);
    }
    if (header.url) head.push(`URL;VALUE=URI:${uriValue(header.url)}`);
    // A mailed invitation is not a subscription: nothing to refresh.
    if (!header.method) head.push('REFRESH-INTERVAL;VALUE=DURATION:PT1H', 'X-PUBLISHED-TTL:PT1H');

    const zones = [...this.yearsByZone.keys()].sort();
    const timezones = zones.map((zone) => vtimezone(zone, this.yearsByZone.get(zone) ?? []));
    const top = Buffer.from(foldLines(head.join(CRLF) + CRLF + timezones.join('')), 'utf8');
    return Buffer.concat([top, ...this.chunks, Buffer.from('END:VCALENDAR' + CRLF)]);
  }

  private event(session: CalendarSession, zone: string | null): ICalEvent {
    const cancelled = session.status === 'cancelled';
    const writeZone = zone ? cachedOffsetZone(zone) : 'utc';
    return new ICalEvent(
      {
        id: `${session.id}@eventline`,
        sequence: session.sequence,
        stamp: session.lastModified,
        lastModified: session.lastModified,
        // Zone-aware values: ical-generator reads a plain Date in the process's local zone. Made in
        // the zone itself, with cached offsets, so writing them costs no Intl call per date.
        start: DateTime.fromMillis(session.startsAt.getTime(), { zone: writeZone }),
        end: DateTime.fromMillis(session.endsAt.getTime(), { zone: writeZone }),
        timezone: zone ?? 'UTC',
        summary: cleanText(session.eventTitle),
        description: cleanText(descriptionText(session)),
        location: session.location ? cleanText(session.location) : null,
        // ical-generator TEXT-escapes URL;VALUE=URI, which would corrupt `,` `;` `\` in a URI.
        url: uriValue(session.url),
        status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
        transparency: cancelled ? ICalEventTransparency.TRANSPARENT : null,
        ...(session.organizerEmail && {
          organizer: { name: paramText(session.organizer ?? 'Eventline'), email: session.organizerEmail },
        }),
        ...(session.attendee && {
          attendees: [
            {
              name: paramText(session.attendee.name),
              email: session.attendee.email,
              role: ICalAttendeeRole.REQ,
              status: cancelled ? ICalAttendeeStatus.DECLINED : ICalAttendeeStatus.ACCEPTED,
              rsvp: false,
            },
          ],
        }),
      },
      this.factory,
    );
  }
}

/** DATE-TIME has a four-digit year; a session outside it cannot be written, so it is left out. */
function isRepresentable(session: CalendarSession): boolean {
  return [session.startsAt, session.endsAt, session.lastModified].every((date) => {
    const year = date.getUTCFullYear(); // NaN for an invalid Date
    return year > 1 && year < 9999;
  });
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
  if (!IANAZone.create(timezone).isValid) return null; // create() is cached; isValidZone() is not, and slow
  const repeated = [session.startsAt, session.endsAt].some((date) => isRepeatedWallTime(timezone, date.getTime()));
  return repeated ? null : timezone;
}

function descriptionText(session: CalendarSession): string {
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
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
}

/** A quoted parameter value (CN) cannot hold DQUOTE, and ical-generator would write it as `\"`. */
function paramText(value: string): string {
  return cleanText(value).replace(/"/g, "'");
}

function textValue(value: string): string {
  return escape(cleanText(value), false);
}

function uriValue(value: string): string {
  // eslint-disable-next-line no-control-regex -- a URI holds no controls or spaces
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
