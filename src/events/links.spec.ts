import { googleEventOf, googleSubscribeOf, venueLine, webcalOf } from './links';

describe('links', () => {
  it('adds one event to Google Calendar, in UTC with the zone named', () => {
    const url = new URL(
      googleEventOf({
        title: 'Power Breakfast & Q&A',
        startsAt: new Date('2027-08-01T17:00:00.000Z'),
        endsAt: new Date('2027-08-01T19:30:00.000Z'),
        timezone: 'America/Los_Angeles',
        venue: { name: 'Hall A', address: null, city: 'Tacoma', region: 'WA', postalCode: null, country: null },
        details: 'http://eventline.test/e/power-breakfast',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://calendar.google.com/calendar/render');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      action: 'TEMPLATE',
      text: 'Power Breakfast & Q&A',
      dates: '20270801T170000Z/20270801T193000Z',
      ctz: 'America/Los_Angeles',
      location: 'Hall A, Tacoma, WA',
      details: 'http://eventline.test/e/power-breakfast',
    });
  });

  it('writes Google dates to the second in UTC, milliseconds dropped', () => {
    const dates = (startsAt: string, endsAt: string) =>
      new URL(
        googleEventOf({ title: 't', startsAt: new Date(startsAt), endsAt: new Date(endsAt), timezone: 'UTC', venue: null }),
      ).searchParams.get('dates');
    expect(dates('1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z')).toBe('19700101T000000Z/99991231T235959Z');
    expect(dates('2027-03-09T04:05:06.789+02:00', '2027-03-09T05:00:00Z')).toBe('20270309T020506Z/20270309T050000Z');
  });

  it('subscribes to feeds with webcal', () => {
    expect(webcalOf('https://x.test/calendars/all.ics')).toBe('webcal://x.test/calendars/all.ics');
    expect(googleSubscribeOf('http://x.test/a.ics')).toBe('https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fx.test%2Fa.ics');
    expect(venueLine(null)).toBe('');
  });
});
