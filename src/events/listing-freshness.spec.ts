import { firstAfter, JSON_TYPE, listingAnswer, SEATS_STALE_MS, sessionTurns } from './listing-freshness';

const now = Date.parse('2027-08-01T12:00:00.000Z');
const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();
const session = (over: Partial<Parameters<typeof sessionTurns>[0]> = {}) => ({
  startsAt: at(120),
  endsAt: at(180),
  registrationOpensAt: null,
  registrationClosesAt: null,
  ...over,
});

describe('firstAfter', () => {
  it('is the earliest instant strictly after now, skipping nulls and the past', () => {
    expect(firstAfter([at(30), null, at(-5), at(10), at(0)], now)).toBe(now + 10 * 60_000);
  });

  it('is undefined when nothing lies ahead', () => {
    expect(firstAfter([], now)).toBeUndefined();
    expect(firstAfter([null, at(-1), at(0)], now)).toBeUndefined();
  });
});

describe('sessionTurns', () => {
  it('lists every instant its availability or its place in a listing turns at', () => {
    expect(sessionTurns(session({ registrationOpensAt: at(1), registrationClosesAt: at(2) }))).toEqual([at(1), at(2), at(120), at(180)]);
  });
});

describe('listingAnswer', () => {
  it('is the JSON of the page', () => {
    const page = { data: [{ id: 'a' }], nextCursor: null };
    const answer = listingAnswer(page, [], now);
    expect(answer.body).toBe(JSON.stringify(page));
    expect(answer.contentType).toBe(JSON_TYPE);
  });

  it('goes stale once its seat counts are SEATS_STALE_MS old, when nothing turns sooner', () => {
    expect(listingAnswer({}, [], now).staleAt).toBe(now + SEATS_STALE_MS);
    expect(listingAnswer({}, [session()], now).staleAt).toBe(now + SEATS_STALE_MS);
  });

  it.each([
    ['a registration window opening', { registrationOpensAt: new Date(now + 2000).toISOString() }],
    ['a registration window closing', { registrationClosesAt: new Date(now + 2000).toISOString() }],
    ['a session starting', { startsAt: new Date(now + 2000).toISOString() }],
    ['a session ending (a range from the past lists started ones)', { startsAt: at(-10), endsAt: new Date(now + 2000).toISOString() }],
  ])('goes stale sooner at %s, of any listed session', (_, over) => {
    expect(listingAnswer({}, [session(), session(over)], now).staleAt).toBe(now + 2000);
  });
});
