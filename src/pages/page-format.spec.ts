import { acceptsRegistrations, availabilityText, dateBlock, formatDate, formatTimeRange } from './page-format';

describe('page formatting', () => {
  // 17:00 UTC on Aug 1 is 10:00 in Los Angeles (PDT) and 02:00 on Aug 2 in Tokyo.
  const start = new Date('2027-08-01T17:00:00Z');
  const end = new Date('2027-08-01T19:00:00Z');

  it('writes dates and times in the session timezone, naming the zone', () => {
    expect(formatDate(start, 'America/Los_Angeles')).toBe('Sunday, August 1, 2027');
    expect(formatDate(start, 'Asia/Tokyo')).toBe('Monday, August 2, 2027');
    expect(formatTimeRange(start, end, 'America/Los_Angeles')).toBe('10:00 AM – 12:00 PM PDT (America/Los_Angeles)');
    expect(formatTimeRange(new Date('2027-12-01T17:00:00Z'), new Date('2027-12-01T18:00:00Z'), 'America/Los_Angeles')).toBe(
      '9:00 AM – 10:00 AM PST (America/Los_Angeles)',
    );
  });

  it('makes the date block in the session timezone, not the server one', () => {
    expect(dateBlock(start, 'America/Los_Angeles')).toEqual({ month: 'Aug', day: '01' });
    expect(dateBlock(new Date('2027-08-01T03:00:00Z'), 'America/Los_Angeles')).toEqual({ month: 'Jul', day: '31' });
  });

  it('builds one formatter per zone and style, not one per call', () => {
    const built = jest.spyOn(Intl, 'DateTimeFormat');
    try {
      for (let i = 0; i < 50; i++) {
        formatDate(start, 'Pacific/Auckland');
        formatTimeRange(start, end, 'Pacific/Auckland');
        dateBlock(start, 'Pacific/Auckland');
      }
      expect(built.mock.calls.length).toBeLessThanOrEqual(5);
    } finally {
      built.mockRestore();
    }
  });

  it('says how many seats are left, and offers a form only where registering can work', () => {
    expect(availabilityText({ state: 'open', seatsRemaining: 1 })).toBe('1 seat left');
    expect(availabilityText({ state: 'open', seatsRemaining: 12 })).toBe('12 seats left');
    expect(availabilityText({ state: 'open', seatsRemaining: null })).toBe('Open');
    expect(availabilityText({ state: 'waitlist', seatsRemaining: 0 })).toBe('Full: join the waitlist');
    expect(['open', 'waitlist', 'full', 'closed', 'cancelled', 'past'].filter((s) => acceptsRegistrations(s as never))).toEqual([
      'open',
      'waitlist',
    ]);
  });
});
