import { DateTime, IANAZone } from 'luxon';
import { cachedOffsetZone, isRepeatedWallTime, vtimezone } from './vtimezone';

const lines = (text: string) => text.split('\r\n');

describe('vtimezone', () => {
  it('writes the offset in force on Jan 1, then each transition of the year', () => {
    expect(vtimezone('America/Los_Angeles', [2027])).toBe(
      [
        'BEGIN:VTIMEZONE',
        'TZID:America/Los_Angeles',
        'X-LIC-LOCATION:America/Los_Angeles',
        'BEGIN:STANDARD',
        'DTSTART:20261231T160000',
        'TZOFFSETFROM:-0800',
        'TZOFFSETTO:-0800',
        'TZNAME:PST',
        'END:STANDARD',
        'BEGIN:DAYLIGHT',
        'DTSTART:20270314T020000',
        'TZOFFSETFROM:-0800',
        'TZOFFSETTO:-0700',
        'TZNAME:PDT',
        'END:DAYLIGHT',
        'BEGIN:STANDARD',
        'DTSTART:20271107T020000',
        'TZOFFSETFROM:-0700',
        'TZOFFSETTO:-0800',
        'TZNAME:PST',
        'END:STANDARD',
        'END:VTIMEZONE',
        '',
      ].join('\r\n'),
    );
  });

  it('writes a zone without DST as one observance', () => {
    const text = lines(vtimezone('Asia/Tokyo', [2027]));
    expect(text.filter((l) => l.startsWith('BEGIN:'))).toEqual(['BEGIN:VTIMEZONE', 'BEGIN:STANDARD']);
    expect(text).toContain('TZOFFSETTO:+0900');
  });

  it('handles half-hour offsets and southern-hemisphere DST', () => {
    const text = lines(vtimezone('Australia/Lord_Howe', [2027]));
    expect(text.filter((l) => l.startsWith('TZOFFSETTO'))).toEqual(['TZOFFSETTO:+1100', 'TZOFFSETTO:+1030', 'TZOFFSETTO:+1100']);
    expect(text.filter((l) => l.startsWith('BEGIN:')).slice(1)).toEqual(['BEGIN:DAYLIGHT', 'BEGIN:STANDARD', 'BEGIN:DAYLIGHT']);
  });

  it('restarts from each non-contiguous year, so rule changes in between are kept', () => {
    const apart = lines(vtimezone('America/Caracas', [2017, 2015]));
    expect(apart.filter((l) => l.startsWith('DTSTART') || l.startsWith('TZOFFSETTO'))).toEqual([
      'DTSTART:20141231T193000',
      'TZOFFSETTO:-0430',
      'DTSTART:20161231T200000',
      'TZOFFSETTO:-0400',
    ]);
    const contiguous = lines(vtimezone('America/Caracas', [2015, 2016, 2017]));
    expect(contiguous.filter((l) => l.startsWith('DTSTART'))).toEqual(['DTSTART:20141231T193000', 'DTSTART:20160501T023000']);
    expect(contiguous).not.toContain('BEGIN:DAYLIGHT'); // a permanent change is not summer time
  });

  it('returns the cached text for the same zone and years', () => {
    expect(vtimezone('Europe/Berlin', [2028, 2027, 2028])).toBe(vtimezone('Europe/Berlin', [2027, 2028]));
  });
});

describe('isRepeatedWallTime', () => {
  it.each([
    ['2027-11-07T07:59:00Z', false], // 00:59 PDT
    ['2027-11-07T08:00:00Z', true], // 01:00 PDT, again at 09:00Z
    ['2027-11-07T09:59:00Z', true], // 01:59 PST
    ['2027-11-07T10:00:00Z', false], // 02:00 PST
    ['2027-03-14T10:00:00Z', false], // spring forward skips wall times, repeats none
  ])('%s in Los Angeles: %p', (iso, expected) => {
    expect(isRepeatedWallTime('America/Los_Angeles', Date.parse(iso))).toBe(expected);
  });

  it('knows zones without DST never repeat', () => {
    expect(isRepeatedWallTime('Asia/Tokyo', Date.parse('2027-11-07T08:30:00Z'))).toBe(false);
  });
});

describe('cachedOffsetZone', () => {
  const MINUTE = 60_000;

  it.each([
    ['America/Los_Angeles', 4],
    ['Europe/Berlin', 4],
    ['Australia/Lord_Howe', 4], // half-hour DST
    ['America/Sao_Paulo', 2], // DST until 2019
    ['Asia/Kathmandu', 0], // +05:45, no DST
  ])('gives luxon’s offsets in %s, around each of its transitions in 2012 and 2027 (%i)', (name, atLeast) => {
    const zone = cachedOffsetZone(name);
    const intl = IANAZone.create(name);
    const instants: number[] = [];
    for (const year of [2012, 2027]) {
      for (let t = Date.UTC(year - 1, 11, 31); t < Date.UTC(year + 1, 0, 2); t += 6 * 3_600_000 + 7_000) instants.push(t);
    }
    const transitions = instants.filter((t, i) => i > 0 && intl.offset(t) !== intl.offset(instants[i - 1]));
    expect(transitions.length).toBeGreaterThanOrEqual(atLeast);
    // Each whole minute of the sampled interval before a change, and the millisecond before it.
    for (const t of transitions) {
      const minute = Math.floor(t / MINUTE) * MINUTE;
      for (let m = -400; m <= 1; m++) instants.push(minute + m * MINUTE, minute + m * MINUTE - 1);
    }
    expect(instants.filter((t) => zone.offset(t) !== intl.offset(t)).map((t) => new Date(t).toISOString())).toEqual([]);
  });

  it('equals luxon’s own zone, so setZone(name) keeps the DateTime and its wall time', () => {
    const at = DateTime.fromMillis(Date.parse('2027-07-01T16:00:00Z'), { zone: cachedOffsetZone('Europe/Berlin') });
    expect(at.setZone('Europe/Berlin')).toBe(at);
    expect(at.toFormat("yyyyLLdd'T'HHmmss")).toBe('20270701T180000');
  });
});
