import { isCalendarDate, parseInstant } from './validators';

describe('parseInstant', () => {
  it.each([
    ['2027-08-01T18:00:00-07:00', '2027-08-02T01:00:00.000Z'],
    ['2027-08-01T18:00Z', '2027-08-01T18:00:00.000Z'],
    ['2028-02-29T23:59:59.999+0100', '2028-02-29T22:59:59.999Z'],
    ['2027-12-31t23:59:59z', '2027-12-31T23:59:59.000Z'],
  ])('reads %s', (input, iso) => {
    expect(parseInstant(input)?.toISOString()).toBe(iso);
  });

  it.each([
    '2027-02-30T00:00:00Z',
    '2027-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2027-04-31T00:00:00Z',
    '2027-00-10T00:00:00Z',
    '2027-13-01T00:00:00Z',
    '2027-06-00T00:00:00Z',
    '2027-06-01T24:00:00Z',
    '2027-06-01T10:60:00Z',
    '2027-06-01T10:00:60Z',
    '2027-06-01T10:00:00+24:00',
    '2027-06-01T10:00:00+01:60',
    '2027-06-01T10:00:00',
    '1969-12-31T23:59:59Z',
    '2027-06-01',
  ])('refuses %s', (input) => {
    expect(parseInstant(input)).toBeUndefined();
  });

  it('refuses what is not a string', () => {
    expect(parseInstant(1_800_000_000_000)).toBeUndefined();
    expect(parseInstant(null)).toBeUndefined();
  });
});

describe('isCalendarDate', () => {
  it('knows month lengths and leap years', () => {
    expect(isCalendarDate(2028, 2, 29)).toBe(true);
    expect(isCalendarDate(2000, 2, 29)).toBe(true);
    expect(isCalendarDate(1900, 2, 29)).toBe(false);
    expect(isCalendarDate(2027, 4, 30)).toBe(true);
    expect(isCalendarDate(2027, 4, 31)).toBe(false);
    expect(isCalendarDate(2027, 12, 31)).toBe(true);
  });
});
