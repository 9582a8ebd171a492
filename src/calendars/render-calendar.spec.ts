import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import ICAL from 'ical.js';
import * as ts from 'typescript';
import { CalendarInput, CalendarSession, CalendarWriter, foldLines, renderCalendar } from './render-calendar';

const BASE = 'https://eventline.example';
let counter = 0;

function session(overrides: Partial<CalendarSession> = {}): CalendarSession {
  const id = overrides.id ?? `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
  return {
    id,
    eventTitle: 'Summer social',
    eventSummary: null,
    eventDescription: null,
    startsAt: new Date('2027-08-02T01:00:00Z'),
    endsAt: new Date('2027-08-02T03:00:00Z'),
    timezone: 'America/Los_Angeles',
    location: null,
    url: `${BASE}/sessions/${id}`,
    status: 'scheduled',
    sequence: 0,
    lastModified: new Date('2027-06-01T12:00:00.250Z'),
    organizer: null,
    ...overrides,
  };
}

function render(...sessions: CalendarSession[]): string {
  return renderCalendar({ name: 'Eventline', sessions });
}

/** Parses like Thunderbird does: the feed's own VTIMEZONEs are the only zone definitions. */
function parse(ics: string) {
  ICAL.TimezoneService.reset();
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const vtimezones = calendar.getAllSubcomponents('vtimezone');
  for (const vtimezone of vtimezones) ICAL.TimezoneService.register(vtimezone);
  const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      zone: event.startDate.zone?.tzid,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      summary: event.summary,
      description: event.description,
      location: event.location,
      sequence: event.sequence,
      status: vevent.getFirstPropertyValue('status'),
      url: vevent.getFirstPropertyValue('url'),
    };
  });
  return { calendar, zones: vtimezones.map((z) => z.getFirstPropertyValue('tzid')), events };
}

/** The first python3 that can import icalendar (PATH's may be a pyenv without it), or null. */
function findPythonWithIcalendar(): string | null {
  for (const candidate of [process.env.PYTHON, 'python3', '/usr/bin/python3']) {
    if (candidate && spawnSync(candidate, ['-c', 'import icalendar'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return null;
}

/** The first content line of the first VEVENT that starts with `name`. */
function line(ics: string, name: string): string | undefined {
  return ics
    .slice(ics.indexOf('BEGIN:VEVENT'))
    .split('\r\n')
    .find((l) => l.startsWith(name));
}

const byStart = (a: CalendarSession, b: CalendarSession) => a.startsAt.getTime() - b.startsAt.getTime();

describe('renderCalendar', () => {
  describe('calendar envelope', () => {
    const ics = renderCalendar({
      name: 'Eventline, all; \\ sessions',
      description: 'Everything',
      url: `${BASE}/calendars/all.ics`,
      sessions: [session()],
    });

    it('names the product and the calendar, escaped, and hints a refresh', () => {
      expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Eventline//Eventline//EN\r\n')).toBe(true);
      expect(ics).toContain('\r\nNAME:Eventline\\, all\\; \\\\ sessions\r\n');
      expect(ics).toContain('\r\nX-WR-CALNAME:Eventline\\, all\\; \\\\ sessions\r\n');
      expect(ics).toContain('\r\nX-WR-CALDESC:Everything\r\n');
      expect(ics).toContain(`\r\nURL;VALUE=URI:${BASE}/calendars/all.ics\r\n`);
      expect(ics).toContain('\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\n');
    });

    it('has no METHOD, so clients treat it as a subscription, not an invitation', () => {
      expect(ics).not.toMatch(/^METHOD/m);
    });

    it('ends every line with CRLF, the last one included', () => {
      expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
      expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    });
  });

  describe('iMIP (a calendar sent by mail)', () => {
    const invite = (method: 'REQUEST' | 'CANCEL', status: CalendarSession['status']) =>
      renderCalendar({
        name: 'Summer social',
        method,
        sessions: [
          session({
            id: '00000000-0000-4000-8000-00000000beef',
            status,
            sequence: 3,
            organizer: 'TBJ, "the band"',
            organizerEmail: 'events@example.com',
            attendee: { name: 'Ada; Lovelace', email: 'ada@example.com' },
          }),
        ],
      });

    it('says METHOD:REQUEST with ORGANIZER, ATTENDEE and the feed UID and SEQUENCE', () => {
      const ics = invite('REQUEST', 'scheduled');
      expect(ics).toContain('\r\nCALSCALE:GREGORIAN\r\nMETHOD:REQUEST\r\n');
      expect(ics).not.toContain('REFRESH-INTERVAL');
      const vevent = parse(ics).calendar.getFirstSubcomponent('vevent');
      expect(vevent?.getFirstPropertyValue('uid')).toBe('00000000-0000-4000-8000-00000000beef@eventline');
      expect(vevent?.getFirstPropertyValue('sequence')).toBe(3);
      const organizer = vevent?.getFirstProperty('organizer');
      expect(organizer?.getFirstValue()).toMatch(/^mailto:events@example.com$/i);
      expect(organizer?.getParameter('cn')).toBe('TBJ, "the band"'.replace(/"/g, "'"));
      const attendee = vevent?.getFirstProperty('attendee');
      expect(attendee?.getFirstValue()).toMatch(/^mailto:ada@example.com$/i);
      expect(attendee?.getParameter('cn')).toBe('Ada; Lovelace');
      expect(attendee?.getParameter('partstat')).toBe('ACCEPTED');
    });

    it('says METHOD:CANCEL with STATUS:CANCELLED', () => {
      const ics = invite('CANCEL', 'cancelled');
      expect(ics).toContain('\r\nMETHOD:CANCEL\r\n');
      expect(parse(ics).events[0].status).toBe('CANCELLED');
    });
  });

  describe('instants', () => {
    it('writes 18:00 Los Angeles in summer in its zone, = 01:00Z the next day', () => {
      const ics = render(session({ startsAt: new Date('2027-08-02T01:00:00Z'), endsAt: new Date('2027-08-02T03:00:00Z') }));
      expect(line(ics, 'DTSTART')).toBe('DTSTART;TZID=America/Los_Angeles:20270801T180000');
      expect(parse(ics).events[0]).toMatchObject({
        zone: 'America/Los_Angeles',
        start: '2027-08-02T01:00:00.000Z',
        end: '2027-08-02T03:00:00.000Z',
      });
    });

    it('writes 18:00 Los Angeles in winter, = 02:00Z the next day', () => {
      const ics = render(session({ startsAt: new Date('2027-12-16T02:00:00Z'), endsAt: new Date('2027-12-16T04:00:00Z') }));
      expect(line(ics, 'DTSTART')).toBe('DTSTART;TZID=America/Los_Angeles:20271215T180000');
      expect(parse(ics).events[0]).toMatchObject({
        start: '2027-12-16T02:00:00.000Z',
        end: '2027-12-16T04:00:00.000Z',
      });
    });

    it('keeps a session spanning the end of DST exact (23:00 PDT to 03:00 PST is 5 hours)', () => {
      const ics = render(session({ startsAt: new Date('2027-11-07T06:00:00Z'), endsAt: new Date('2027-11-07T11:00:00Z') }));
      expect(line(ics, 'DTSTART')).toBe('DTSTART;TZID=America/Los_Angeles:20271106T230000');
      expect(line(ics, 'DTEND')).toBe('DTEND;TZID=America/Los_Angeles:20271107T030000');
      expect(parse(ics).events[0]).toMatchObject({
        start: '2027-11-07T06:00:00.000Z',
        end: '2027-11-07T11:00:00.000Z',
      });
    });

    it('keeps a session spanning the start of DST exact (23:00 PST to 04:00 PDT is 4 hours)', () => {
      const ics = render(session({ startsAt: new Date('2027-03-14T07:00:00Z'), endsAt: new Date('2027-03-14T11:00:00Z') }));
      expect(line(ics, 'DTEND')).toBe('DTEND;TZID=America/Los_Angeles:20270314T040000');
      expect(parse(ics).events[0]).toMatchObject({
        start: '2027-03-14T07:00:00.000Z',
        end: '2027-03-14T11:00:00.000Z',
      });
    });

    it('adds one VTIMEZONE per zone used, and each session keeps its own zone', () => {
      const ics = render(
        session({
          timezone: 'Europe/Berlin',
          startsAt: new Date('2027-08-02T16:00:00Z'),
          endsAt: new Date('2027-08-02T18:00:00Z'),
        }),
        session(),
        session({ startsAt: new Date('2027-12-16T02:00:00Z'), endsAt: new Date('2027-12-16T04:00:00Z') }),
      );
      const parsed = parse(ics);
      expect(parsed.zones).toEqual(['America/Los_Angeles', 'Europe/Berlin']);
      expect(line(ics, 'DTSTART;TZID=Europe/Berlin')).toBe('DTSTART;TZID=Europe/Berlin:20270802T180000');
      expect(parsed.events.map((e) => [e.zone, e.start])).toEqual([
        ['America/Los_Angeles', '2027-08-02T01:00:00.000Z'],
        ['Europe/Berlin', '2027-08-02T16:00:00.000Z'],
        ['America/Los_Angeles', '2027-12-16T02:00:00.000Z'],
      ]);
    });

    it('handles southern, half-hour, DST-less zones and sessions years apart or across New Year', () => {
      const cases: [string, string, string][] = [
        ['Australia/Sydney', '2026-10-03T14:00:00Z', '2026-10-04T02:00:00Z'],
        ['Australia/Lord_Howe', '2027-04-03T14:00:00Z', '2027-04-03T15:45:00Z'],
        ['Asia/Kolkata', '2029-12-31T18:00:00Z', '2030-01-01T01:00:00Z'],
        ['Asia/Tokyo', '2027-01-01T00:00:00Z', '2027-01-01T03:00:00Z'],
        ['America/Los_Angeles', '2026-03-08T09:00:00Z', '2026-03-08T11:00:00Z'],
        ['America/Los_Angeles', '2031-11-02T07:00:00Z', '2031-11-02T12:00:00Z'],
        ['America/Sao_Paulo', '2027-07-01T12:00:00Z', '2027-07-01T14:00:00Z'],
        // Caracas moved from -04:30 to -04:00 in May 2016: each year must start from its own offset.
        ['America/Caracas', '2015-06-01T23:30:00Z', '2015-06-02T01:30:00Z'],
        ['America/Caracas', '2017-06-01T23:00:00Z', '2017-06-02T01:00:00Z'],
      ];
      const sessions = cases.map(([timezone, start, end]) => session({ timezone, startsAt: new Date(start), endsAt: new Date(end) }));
      const byUid = new Map(parse(render(...sessions)).events.map((e) => [e.uid, e]));
      for (const s of sessions) {
        expect(byUid.get(`${s.id}@eventline`)).toMatchObject({
          zone: s.timezone,
          start: s.startsAt.toISOString(),
          end: s.endsAt.toISOString(),
        });
      }
    });

    it('round-trips any instant in any zone through ical.js', () => {
      const zones = ['America/Los_Angeles', 'Europe/Berlin', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kathmandu', 'UTC'];
      const minute = 60_000;
      const from = Date.UTC(2024, 0, 1) / minute;
      const to = Date.UTC(2040, 0, 1) / minute;
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.constantFrom(...zones), fc.integer({ min: from, max: to }), fc.integer({ min: 1, max: 2000 })), {
            minLength: 1,
            maxLength: 6,
          }),
          (specs) => {
            const sessions = specs.map(([timezone, start, length]) =>
              session({ timezone, startsAt: new Date(start * minute), endsAt: new Date((start + length) * minute) }),
            );
            const byUid = new Map(parse(render(...sessions)).events.map((e) => [e.uid, e]));
            return sessions.every((s) => {
              const e = byUid.get(`${s.id}@eventline`);
              return e?.start === s.startsAt.toISOString() && e.end === s.endsAt.toISOString();
            });
          },
        ),
        { numRuns: 200 },
      );
    });

    it('writes a wall time that a fall-back repeats in UTC, since it cannot name one instant', () => {
      const first = session({ startsAt: new Date('2027-11-07T08:30:00Z'), endsAt: new Date('2027-11-07T12:00:00Z') });
      const second = session({ startsAt: new Date('2027-11-07T09:30:00Z'), endsAt: new Date('2027-11-07T12:00:00Z') });
      const ics = render(first, second);
      expect(ics).toContain('DTSTART:20271107T083000Z');
      expect(ics).toContain('DTSTART:20271107T093000Z');
      expect(ics).not.toContain('VTIMEZONE');
      expect(parse(ics).events.map((e) => e.start)).toEqual(['2027-11-07T08:30:00.000Z', '2027-11-07T09:30:00.000Z']);
    });

    it('leaves out a session whose dates cannot be written, instead of failing the feed', () => {
      const kept = session();
      const ics = render(kept, session({ startsAt: new Date('+010000-01-01T00:00:00Z') }), session({ endsAt: new Date(NaN) }));
      expect(parse(ics).events.map((e) => e.uid)).toEqual([`${kept.id}@eventline`]);
    });

    it('writes UTC, or an unknown zone, as UTC without a VTIMEZONE', () => {
      const ics = render(session({ timezone: 'UTC' }), session({ timezone: 'Mars/Olympus_Mons' }));
      expect(ics).not.toContain('VTIMEZONE');
      expect(parse(ics).events.map((e) => e.start)).toEqual(['2027-08-02T01:00:00.000Z', '2027-08-02T01:00:00.000Z']);
      expect(line(ics, 'DTSTART')).toBe('DTSTART:20270802T010000Z');
    });
  });

  describe('whatever the server time zone', () => {
    // Node fixes its local zone from TZ at start-up and jest hands tests a copy of process.env,
    // so the only honest check is child processes started with TZ set. They run this very module,
    // transpiled with TypeScript's transpileModule (no ts-node needed), and must print the same bytes.
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'eventline-render-'));
      for (const name of ['render-calendar', 'vtimezone']) {
        const source = readFileSync(join(__dirname, `${name}.ts`), 'utf8');
        const { outputText } = ts.transpileModule(source, {
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        });
        writeFileSync(join(dir, `${name}.js`), outputText);
      }
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const input: CalendarInput = {
      name: 'Zones',
      sessions: [
        session({ startsAt: new Date('2027-08-02T01:00:00Z'), endsAt: new Date('2027-08-02T03:00:00Z') }),
        session({ startsAt: new Date('2027-12-16T02:00:00Z'), endsAt: new Date('2027-12-16T04:00:00Z') }),
        session({ startsAt: new Date('2027-11-07T06:00:00Z'), endsAt: new Date('2027-11-07T11:00:00Z') }),
        session({
          timezone: 'Europe/Berlin',
          startsAt: new Date('2027-03-28T00:30:00Z'),
          endsAt: new Date('2027-03-28T02:30:00Z'),
        }),
      ],
    };
    const child = `
      const { renderCalendar } = require(process.argv[1]);
      const dates = new Set(['startsAt', 'endsAt', 'lastModified']);
      const input = JSON.parse(require('fs').readFileSync(0, 'utf8'), (k, v) => (dates.has(k) ? new Date(v) : v));
      process.stdout.write(JSON.stringify({ offset: new Date(2027, 0, 15).getTimezoneOffset(), ics: renderCalendar(input) }));`;

    it.each([
      ['UTC', 0],
      ['Asia/Tokyo', -540],
      ['America/Los_Angeles', 480],
      ['Pacific/Chatham', -825],
    ])(
      'renders the same bytes with TZ=%s',
      (tz, expectedOffset) => {
        const stdout = execFileSync(process.execPath, ['-e', child, join(dir, 'render-calendar.js')], {
          input: JSON.stringify(input),
          env: { ...process.env, TZ: tz, NODE_PATH: join(__dirname, '..', '..', 'node_modules') },
          encoding: 'utf8',
        });
        const result = JSON.parse(stdout) as { offset: number; ics: string };
        expect(result.offset).toBe(expectedOffset); // the child really ran in that zone
        expect(result.ics).toBe(renderCalendar(input));
        const expected = [...input.sessions].sort(byStart).map((s) => s.startsAt.toISOString());
        expect(parse(result.ics).events.map((e) => e.start)).toEqual(expected);
      },
      30_000,
    );
  });

  describe('events', () => {
    it('is byte-identical for the same input, whatever the order or object identity', () => {
      const sessions = [
        session({ id: 'b0000000-0000-4000-8000-000000000000' }),
        session({ id: 'a0000000-0000-4000-8000-000000000000' }),
        session({ startsAt: new Date('2027-07-01T17:00:00Z'), endsAt: new Date('2027-07-01T18:00:00Z') }),
      ];
      const copies = [...sessions].reverse().map((s) => ({ ...s, startsAt: new Date(s.startsAt), endsAt: new Date(s.endsAt) }));
      const ics = render(...sessions);
      expect(render(...copies)).toBe(ics);
      expect(parse(ics).events.map((e) => e.uid)).toEqual([
        `${sessions[2].id}@eventline`,
        'a0000000-0000-4000-8000-000000000000@eventline',
        'b0000000-0000-4000-8000-000000000000@eventline',
      ]);
    });

    it('derives the UID from the session id only', () => {
      const before = session();
      const after = {
        ...before,
        eventTitle: 'Renamed',
        startsAt: new Date('2028-01-01T00:00:00Z'),
        endsAt: new Date('2028-01-01T01:00:00Z'),
        sequence: 3,
        status: 'cancelled' as const,
      };
      expect(parse(render(before)).events[0].uid).toBe(`${before.id}@eventline`);
      expect(parse(render(after)).events[0].uid).toBe(`${before.id}@eventline`);
    });

    it('passes SEQUENCE through and stamps with lastModified in UTC, never "now"', () => {
      const ics = render(session({ sequence: 7 }));
      expect(parse(ics).events[0].sequence).toBe(7);
      expect(line(ics, 'DTSTAMP')).toBe('DTSTAMP:20270601T120000Z');
      expect(line(ics, 'LAST-MODIFIED')).toBe('LAST-MODIFIED:20270601T120000Z');
    });

    it('keeps a cancelled session with STATUS:CANCELLED and an unchanged summary', () => {
      const ics = render(session({ status: 'cancelled' }), session({ startsAt: new Date('2027-08-03T01:00:00Z') }));
      const [cancelled, scheduled] = parse(ics).events;
      expect(cancelled).toMatchObject({ status: 'CANCELLED', summary: 'Summer social' });
      expect(scheduled).toMatchObject({ status: 'CONFIRMED', summary: 'Summer social' });
    });

    it('describes the session with summary, description, organizer and link, and gives LOCATION and URL', () => {
      const s = session({
        eventSummary: 'Short',
        eventDescription: 'Long text',
        organizer: 'TBJ',
        location: 'Hall A, 1 Main St',
      });
      const [event] = parse(render(s)).events;
      expect(event.description).toBe(`Short\n\nLong text\n\nOrganizer: TBJ\n\n${s.url}`);
      expect(event.location).toBe('Hall A, 1 Main St');
      expect(event.url).toBe(s.url);
    });

    it('keeps a URL with , ; or \\ a valid URI instead of TEXT-escaping it', () => {
      const ics = render(session({ url: `${BASE}/a,b;c` }));
      expect(ics).toContain(`\r\nURL;VALUE=URI:${BASE}/a%2Cb%3Bc\r\n`);
    });

    it('round-trips commas, semicolons, quotes, backslashes, newlines and emoji', () => {
      const text = 'Rock, paper; "scissors" \\ back\\slash\nnext line\r\nwindows 🎸🇺🇸 Zürich 東京';
      const [event] = parse(render(session({ eventTitle: text, eventSummary: text, location: text }))).events;
      const expected = text.replace(/\r\n/g, '\n');
      expect(event.summary).toBe(expected);
      expect(event.location).toBe(expected);
      expect(event.description.startsWith(`${expected}\n\n`)).toBe(true);
    });

    it('drops control characters that TEXT may not contain', () => {
      const ics = render(session({ eventTitle: 'Bell\u0007 and\u0000 null\u001b' }));
      expect(parse(ics).events[0].summary).toBe('Bell and null');
    });
  });

  describe('folding', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });

    function physicalLines(ics: string): Buffer[] {
      const bytes = Buffer.from(ics, 'utf8');
      const lines: Buffer[] = [];
      let start = 0;
      for (let i = bytes.indexOf('\r\n', 0); i !== -1; i = bytes.indexOf('\r\n', start)) {
        lines.push(bytes.subarray(start, i));
        start = i + 2;
      }
      expect(start).toBe(bytes.length); // nothing after the final CRLF
      return lines;
    }

    /** Every physical line ≤ 75 octets and valid UTF-8 alone; no fold between `\` and its char. */
    function expectWellFolded(ics: string): void {
      const lines = physicalLines(ics).map((bytes) => {
        expect(bytes.length).toBeLessThanOrEqual(75);
        return decoder.decode(bytes);
      });
      let escapeOpen = false;
      for (const l of lines) {
        const continuation = l.startsWith(' ');
        if (!continuation) escapeOpen = false;
        expect(continuation && escapeOpen).toBe(false);
        for (let i = continuation ? 1 : 0; i < l.length; i++) {
          if (escapeOpen) escapeOpen = false;
          else if (l[i] === '\\') escapeOpen = true;
        }
      }
    }

    it('folds long multibyte text on octets, never inside a character or an escape', () => {
      const title = '🎉 Zürich, 東京; "\\" fête\n'.repeat(20);
      const ics = render(session({ eventTitle: title, eventDescription: 'é'.repeat(300), location: '\\,'.repeat(100) }));
      expectWellFolded(ics);
      expect(parse(ics).events[0].summary).toBe(title);
    });

    it('folds any text so that it parses back unchanged', () => {
      const unit = fc.constantFrom('a', ' ', 'é', '€', '東', '🎉', '\u0301', '\\', ',', ';', '"', ':', '\n');
      fc.assert(
        fc.property(fc.string({ unit, maxLength: 300 }), fc.integer({ min: 0, max: 80 }), (text, pad) => {
          const title = 'x'.repeat(pad) + text;
          const ics = render(session({ eventTitle: title }));
          expectWellFolded(ics);
          return parse(ics).events[0].summary === title;
        }),
        { numRuns: 150 },
      );
    });

    it('breaks before a character or escape that would pass 75 octets', () => {
      expect(foldLines(`X:${'a'.repeat(72)}\\n\r\n`)).toBe(`X:${'a'.repeat(72)}\r\n \\n\r\n`);
      expect(foldLines(`X:${'a'.repeat(72)}🎉b\r\n`)).toBe(`X:${'a'.repeat(72)}\r\n 🎉b\r\n`);
      expect(foldLines(`X:${'a'.repeat(73)}\r\n`)).toBe(`X:${'a'.repeat(73)}\r\n`);
      expect(foldLines(`X:${'a'.repeat(74)}\r\n`)).toBe(`X:${'a'.repeat(73)}\r\n a\r\n`);
      expect(foldLines(`X:${'b'.repeat(73 + 74 + 1)}`)).toBe(`X:${'b'.repeat(73)}\r\n ${'b'.repeat(74)}\r\n b`);
    });
  });

  describe('strict parsers', () => {
    const python = findPythonWithIcalendar();
    // CI installs python3-icalendar, so there a missing parser is a failure, not a skip.
    const withPython = python || process.env.CI ? it : it.skip;
    if (!python && !process.env.CI) {
      console.warn('Skipping the Python icalendar check: no python3 with the icalendar package (apt-get install python3-icalendar).');
    }

    withPython("parses cleanly in Python's icalendar with the same instants and text", () => {
      if (!python) throw new Error('CI needs a python3 with the icalendar package (apt-get install python3-icalendar)');
      const text = 'Rock, paper; "scissors" \\ 🎸\nnext';
      const sessions = [
        session({ eventTitle: text, eventDescription: 'é'.repeat(120), location: text }),
        session({
          startsAt: new Date('2027-11-07T06:00:00Z'),
          endsAt: new Date('2027-11-07T11:00:00Z'),
          status: 'cancelled',
        }),
        session({
          timezone: 'Europe/Berlin',
          startsAt: new Date('2027-03-28T00:30:00Z'),
          endsAt: new Date('2027-03-28T02:30:00Z'),
        }),
        session({ startsAt: new Date('2027-11-07T09:30:00Z'), endsAt: new Date('2027-11-07T10:30:00Z') }),
      ];
      const ics = renderCalendar({ name: 'All, of it', sessions });
      const script = `
import icalendar, json, sys
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
errors = [[c.name, c.errors] for c in cal.walk() if getattr(c, 'errors', None)]
events = [{'uid': str(e['UID']), 'start': e['DTSTART'].dt.timestamp(), 'end': e['DTEND'].dt.timestamp(),
           'summary': str(e['SUMMARY']), 'location': str(e.get('LOCATION', '')), 'status': str(e['STATUS'])}
          for e in cal.walk('VEVENT')]
print(json.dumps({'errors': errors, 'name': str(cal['X-WR-CALNAME']), 'events': events}))`;
      const out = JSON.parse(execFileSync(python as string, ['-c', script], { input: ics, encoding: 'utf8' })) as {
        errors: unknown[];
        name: string;
        events: { uid: string; start: number; end: number; summary: string; location: string; status: string }[];
      };
      expect(out.errors).toEqual([]);
      expect(out.name).toBe('All, of it');
      expect(out.events.map((e) => [e.uid, e.start * 1000, e.end * 1000])).toEqual(
        [...sessions].sort(byStart).map((s) => [`${s.id}@eventline`, s.startsAt.getTime(), s.endsAt.getTime()]),
      );
      const byUid = new Map(out.events.map((e) => [e.uid, e]));
      expect(byUid.get(`${sessions[0].id}@eventline`)).toMatchObject({
        summary: text,
        location: text,
        status: 'CONFIRMED',
      });
      expect(byUid.get(`${sessions[1].id}@eventline`)?.status).toBe('CANCELLED');
    });
  });

  it('writes the same bytes whether the sessions come in one batch or many', () => {
    const zones = ['UTC', 'America/Los_Angeles', 'Europe/Berlin', 'Asia/Tokyo'];
    const sessions = Array.from({ length: 12 }, (_, i) => {
      const start = Date.UTC(2027, 0, 1) + i * 40 * 86_400_000; // into 2028: more VTIMEZONE years
      return session({ timezone: zones[i % zones.length], startsAt: new Date(start), endsAt: new Date(start + 3_600_000) });
    });
    const header = { name: 'Batched', url: `${BASE}/calendars/all.ics` };
    const whole = renderCalendar({ ...header, sessions });
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: sessions.length - 1 }), { maxLength: 6 }), (cuts) => {
        const writer = new CalendarWriter();
        const bounds = [0, ...[...cuts].sort((a, b) => a - b), sessions.length];
        for (let i = 1; i < bounds.length; i++) writer.add(sessions.slice(bounds[i - 1], bounds[i]));
        expect(writer.finish(header).toString('utf8')).toBe(whole);
      }),
    );
    // Zones first met in the last batch are still defined up front.
    expect(parse(whole).zones).toEqual(['America/Los_Angeles', 'Asia/Tokyo', 'Europe/Berlin']);
  });

  it('renders in time linear in the number of sessions', () => {
    const zones = ['America/Los_Angeles', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
    const sessions = Array.from({ length: 4000 }, (_, i) => {
      const start = Date.UTC(2026, 0, 1) + i * 7 * 3_600_000;
      return session({
        timezone: zones[i % zones.length],
        startsAt: new Date(start),
        endsAt: new Date(start + 7_200_000),
        eventDescription: 'A long description, with commas; and more. '.repeat(5),
      });
    });
    // The fastest of a few runs, so a busy machine's pauses do not count.
    const fastest = (n: number): number => {
      let best = Infinity;
      for (let run = 0; run < 3; run++) {
        const started = performance.now();
        const ics = render(...sessions.slice(0, n));
        best = Math.min(best, performance.now() - started);
        expect(ics.match(/^BEGIN:VEVENT\r$/gm)).toHaveLength(n);
      }
      return best;
    };
    fastest(100); // warm up
    // Eight times the sessions: about eight times the work when linear, 64 when quadratic.
    expect(fastest(4000) / fastest(500)).toBeLessThan(24);
  });
});
