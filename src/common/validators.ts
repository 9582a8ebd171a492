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

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO 8601 timestamp with an offset (or Z), within years 1970..9999. */
export function parseInstant(v: unknown): Date | undefined {
  if (typeof v !== 'string' || !INSTANT.test(v)) return undefined;
  const d = new Date(v);
  const t = d.getTime();
  return Number.isNaN(t) || t < 0 || t > 253402300799999 ? undefined : d;
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
