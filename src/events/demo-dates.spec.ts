import { DateTime } from 'luxon';
import { DEMO_TIMEZONE, demoSessionTimes, demoYear } from './demo-dates';

describe('demo dates', () => {
  it('uses this August while its Aug 01 session is still ahead', () => {
    expect(demoYear(new Date('2027-03-01T00:00:00Z'))).toBe(2027);
    expect(demoYear(new Date('2027-08-02T00:59:00Z'))).toBe(2027); // 17:59 on Aug 01 in Los Angeles
  });

  it('moves to next August once Aug 01 has started', () => {
    expect(demoYear(new Date('2027-08-02T01:00:00Z'))).toBe(2028);
    expect(demoYear(new Date('2026-11-26T12:00:00Z'))).toBe(2027);
    expect(demoYear(new Date('2027-12-31T23:00:00Z'))).toBe(2028);
  });

  it('places the sessions on Aug 01, 22 and 29 at 18:00 Los Angeles time', () => {
    const times = demoSessionTimes(new Date('2026-11-26T12:00:00Z'));
    const local = times.map((t) => DateTime.fromJSDate(t.startsAt, { zone: DEMO_TIMEZONE }).toFormat('yyyy-MM-dd HH:mm'));
    expect(local).toEqual(['2027-08-01 18:00', '2027-08-22 18:00', '2027-08-29 18:00']);
    expect(times[0].startsAt.toISOString()).toBe('2027-08-02T01:00:00.000Z');
    for (const t of times) expect(t.endsAt.getTime() - t.startsAt.getTime()).toBe(2 * 3600_000);
  });
});
