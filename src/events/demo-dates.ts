import { DateTime } from 'luxon';

export const DEMO_TIMEZONE = 'America/Los_Angeles';
export const DEMO_DAYS = [1, 22, 29] as const;

/**
 * The year of "the next August whose Aug 01 is still ahead": this year's, if its first demo
 * session has not started yet in Los Angeles, else next year's.
 */
export function demoYear(now: Date, startHour = 18): number {
  const local = DateTime.fromJSDate(now, { zone: DEMO_TIMEZONE });
  const firstThisYear = DateTime.fromObject({ year: local.year, month: 8, day: 1, hour: startHour }, { zone: DEMO_TIMEZONE });
  return now.getTime() < firstThisYear.toMillis() ? local.year : local.year + 1;
}

/** Wall-clock start and end (18:00–20:00 in Los Angeles) of each demo session, as instants. */
export function demoSessionTimes(now: Date): { startsAt: Date; endsAt: Date }[] {
  const year = demoYear(now);
  return DEMO_DAYS.map((day) => {
    const start = DateTime.fromObject({ year, month: 8, day, hour: 18 }, { zone: DEMO_TIMEZONE });
    return { startsAt: start.toJSDate(), endsAt: start.plus({ hours: 2 }).toJSDate() };
  });
}
