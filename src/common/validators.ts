import { registerDecorator, ValidateIf, ValidationOptions } from 'class-validator';
import { IANAZone } from 'luxon';

/** The property may be left out, but not set to null. */
export const OptionalNotNull = () => ValidateIf((_o, value) => value !== undefined);

/** An IANA timezone name such as `America/Los_Angeles`. */
export function IsIanaTimezone(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isIanaTimezone',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be an IANA timezone such as America/Los_Angeles`, ...options },
      validator: { validate: (v: unknown) => isIanaTimezone(v) },
    });
}

export function isIanaTimezone(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 64 && v.includes('/') && IANAZone.isValidZone(v) ? true : v === 'UTC';
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/i;

/**
 * An ISO 8601 timestamp with an offset (or Z), within years 1970..9999. Every field must exist on
 * the calendar: `Date` would roll 2027-02-30 over to March 2 instead of refusing it.
 */
export function parseInstant(v: unknown): Date | undefined {
  const m = typeof v === 'string' ? INSTANT.exec(v) : null;
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number);
  const [second, offsetHours, offsetMinutes] = m.slice(6).map((n) => Number(n ?? 0));
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
    return undefined;
  }
  const d = new Date(m[0]);
  const t = d.getTime();
  return Number.isNaN(t) || t < 0 || t > 253402300799999 ? undefined : d;
}

/** Whether year-month-day names a day that exists (leap years included). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  // Day 0 of the next month is the last day of this one; setUTCFullYear keeps years below 100 as they are.
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  return month >= 1 && month <= 12 && day >= 1 && day <= last.getUTCDate();
}

export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be an ISO 8601 timestamp with an offset, e.g. 2027-08-01T18:00:00-07:00`,
        ...options,
      },
      validator: { validate: (v: unknown) => parseInstant(v) !== undefined },
    });
}
