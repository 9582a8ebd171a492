import { categoryCalendarName, FeedStampSum, feedValidators, formatLocation, isSlug, searchableCategory } from './calendar-feed';
import type { FeedRow, FeedStampRow } from './calendar-feed.queries';

const EMPTY_FEED: FeedStampRow = {
  row_count: 0,
  session_count: 0,
  last_modified: null,
  sequence_sum: '0',
  stamp_sum: '0',
  first_starts_at: null,
};

describe('formatLocation', () => {
  it('writes "name, address, city, region postalCode, country"', () => {
    const venue = { name: 'Hall A', address: '1 Main St', city: 'Springfield', region: 'OR', postalCode: '97477', country: 'US' };
    expect(formatLocation(venue, null)).toBe('Hall A, 1 Main St, Springfield, OR 97477, US');
  });

  it('skips what is missing or blank', () => {
    expect(
      formatLocation({ name: 'Hall A', address: null, city: 'Springfield', region: null, postalCode: '97477', country: '' }, null),
    ).toBe('Hall A, Springfield, 97477');
    expect(formatLocation({ region: 'OR' }, null)).toBe('OR');
  });

  it('falls back to the online URL when there is no venue (or an empty one), else null', () => {
    expect(formatLocation(null, 'https://meet.example.com/x')).toBe('https://meet.example.com/x');
    expect(formatLocation({ name: null, city: ' ' }, 'https://meet.example.com/x')).toBe('https://meet.example.com/x');
    expect(formatLocation(null, null)).toBeNull();
  });
});

describe('feedValidators', () => {
  const stamp: FeedStampRow = {
    row_count: 2,
    session_count: 2,
    last_modified: new Date('2027-06-01T12:00:00.123Z'),
    sequence_sum: '3',
    stamp_sum: '3600000000123456',
    first_starts_at: null,
  };

  it('is stable for the same aggregates', () => {
    expect(feedValidators('all', 'k', { ...stamp })).toEqual(feedValidators('all', 'k', stamp));
    expect(feedValidators('all', 'k', stamp).lastModified).toEqual(stamp.last_modified);
  });

  it.each([
    ['the feed', { kind: 'event' }],
    ['the key', { key: 'k2' }],
    ['the rows', { row_count: 3 }],
    ['the sessions', { session_count: 1 }],
    ['the newest edit', { last_modified: new Date('2027-06-01T12:00:00.124Z') }],
    ['a sequence', { sequence_sum: '4' }],
    ['any edit, to the microsecond', { stamp_sum: '3600000000123457' }],
  ])('changes the ETag with %s', (_, change: Partial<FeedStampRow & { kind: string; key: string }>) => {
    const { kind = 'all', key = 'k', ...rest } = change;
    expect(feedValidators(kind, key, { ...stamp, ...rest }).etag).not.toBe(feedValidators('all', 'k', stamp).etag);
  });

  it('dates an empty feed at the epoch', () => {
    const empty = feedValidators('all', 'k', EMPTY_FEED);
    expect(empty.lastModified.getTime()).toBe(0);
  });
});

describe('names and shapes', () => {
  it('names category calendars after the requested spelling', () => {
    expect(categoryCalendarName('music')).toBe('Music sessions');
    expect(categoryCalendarName('AI')).toBe('AI sessions');
    expect(categoryCalendarName('🎵 live')).toBe('🎵 live sessions');
  });

  it('looks every category name up, except one with a NUL, which no event can carry', () => {
    for (const name of ['music', 'Live Music', '🎵'.repeat(64), 'x'.repeat(65), '   ', 'a\nb', '\u007f']) {
      expect(searchableCategory(name)).toBe(name);
    }
    expect(searchableCategory('\u0000')).toBeNull();
    expect(searchableCategory('a\u0000b')).toBeNull();
  });

  it('accepts only slugs the events module makes', () => {
    expect(isSlug('summer-social-2')).toBe(true);
    expect(isSlug('Summer')).toBe(false);
    expect(isSlug('a b')).toBe(false);
    expect(isSlug('x'.repeat(121))).toBe(false);
  });
});

describe('FeedStampSum', () => {
  const row = (overrides: Partial<FeedRow>): FeedRow =>
    ({ id: 'a', sequence: 0, stamp: '0', modified: new Date(0), starts_at: new Date(0), ...overrides }) as FeedRow;

  it('adds up to the validators query: counts, newest edit, earliest start, sums', () => {
    const sum = new FeedStampSum();
    sum.add(row({ sequence: 2, stamp: '1795809321273449', modified: new Date(5), starts_at: new Date(30) }));
    sum.add(row({ id: 'b', sequence: 1, stamp: '1795809321273450', modified: new Date(9), starts_at: new Date(20) }));
    expect(sum.result()).toEqual({
      row_count: 2,
      session_count: 2,
      last_modified: new Date(9),
      sequence_sum: '3',
      stamp_sum: '3591618642546899',
      first_starts_at: new Date(20),
    });
  });

  it('keeps every microsecond past 2^53', () => {
    const sum = new FeedStampSum();
    for (let i = 0; i < 10; i++) sum.add(row({ stamp: '3591618642546899' }));
    expect(sum.result().stamp_sum).toBe('35916186425468990');
  });

  it('counts the one row of an event without sessions as a row, not a session', () => {
    const sum = new FeedStampSum();
    sum.add({ ...row({ stamp: '7' }), id: null, sequence: null, starts_at: null } as unknown as FeedRow);
    expect(sum.result()).toEqual({
      row_count: 1,
      session_count: 0,
      last_modified: new Date(0),
      sequence_sum: '0',
      stamp_sum: '7',
      first_starts_at: null,
    });
  });

  it('is the empty feed with no rows', () => {
    expect(new FeedStampSum().result()).toEqual(EMPTY_FEED);
  });
});
