import { availabilityOf, AvailabilityInput, combineAvailability } from './availability';
import { scheduleChanged } from './sequence';

const now = new Date('2027-06-01T12:00:00Z');
const base: AvailabilityInput = {
  status: 'scheduled',
  eventStatus: 'published',
  startsAt: new Date('2027-08-01T18:00:00Z'),
  endsAt: new Date('2027-08-01T20:00:00Z'),
  capacity: 10,
  waitlistEnabled: false,
  registrationOpensAt: null,
  registrationClosesAt: null,
  confirmedCount: 3,
  waitlistedCount: 0,
};
const at = (iso: string) => new Date(iso);

describe('availability', () => {
  it.each<[string, Partial<AvailabilityInput>, Date, string, number | null]>([
    ['open with seats', {}, now, 'open', 7],
    ['open when unlimited', { capacity: null, confirmedCount: 500 }, now, 'open', null],
    ['full without a waitlist', { confirmedCount: 10 }, now, 'full', 0],
    ['waitlist when full with one', { confirmedCount: 10, waitlistEnabled: true, waitlistedCount: 4 }, now, 'waitlist', 0],
    ['full at capacity zero', { capacity: 0, confirmedCount: 0 }, now, 'full', 0],
    ['closed before the window opens', { registrationOpensAt: at('2027-06-02T00:00:00Z') }, now, 'closed', 7],
    ['closed after the window closes', { registrationClosesAt: at('2027-06-01T12:00:00Z') }, now, 'closed', 7],
    [
      'open inside the window',
      { registrationOpensAt: at('2027-05-01T00:00:00Z'), registrationClosesAt: at('2027-07-01T00:00:00Z') },
      now,
      'open',
      7,
    ],
    ['closed once started', {}, at('2027-08-01T18:00:00Z'), 'closed', 7],
    ['past once ended', {}, at('2027-08-01T20:00:00Z'), 'past', 7],
    ['cancelled session: no seats', { status: 'cancelled' }, now, 'cancelled', 0],
    ['cancelled event: no seats', { eventStatus: 'cancelled' }, now, 'cancelled', 0],
    ['cancelled and unlimited: no seats', { status: 'cancelled', capacity: null }, now, 'cancelled', 0],
    ['cancelled wins over past', { status: 'cancelled' }, at('2028-01-01T00:00:00Z'), 'cancelled', 0],
  ])('%s', (_name, patch, when, state, seats) => {
    const a = availabilityOf({ ...base, ...patch }, when);
    expect(a.state).toBe(state);
    expect(a.seatsRemaining).toBe(seats);
  });

  it('never reports negative seats', () => {
    expect(availabilityOf({ ...base, capacity: 2, confirmedCount: 5 }, now).seatsRemaining).toBe(0);
  });

  it('combines sessions for an event: best state, summed seats and waitlists', () => {
    expect(
      combineAvailability([
        { state: 'full', seatsRemaining: 0, waitlistLength: 2 },
        { state: 'open', seatsRemaining: 4, waitlistLength: 0 },
        { state: 'past', seatsRemaining: 9, waitlistLength: 1 },
      ]),
    ).toEqual({ state: 'open', seatsRemaining: 4, waitlistLength: 3 });
    expect(combineAvailability([{ state: 'open', seatsRemaining: null, waitlistLength: 0 }]).seatsRemaining).toBeNull();
    expect(combineAvailability([]).state).toBe('closed');
  });
});

describe('SEQUENCE bumps', () => {
  const facts = { startsAt: base.startsAt, endsAt: base.endsAt, timezone: 'UTC', venue: null, status: 'scheduled' };
  it.each([
    ['start', { startsAt: new Date(base.startsAt.getTime() + 60_000) }, true],
    ['end', { endsAt: new Date(base.endsAt.getTime() + 60_000) }, true],
    ['timezone', { timezone: 'Europe/Paris' }, true],
    ['status', { status: 'cancelled' }, true],
    ['venue', { venue: { name: 'Hall', address: null, city: null, region: null, postalCode: null, country: null } }, true],
    ['nothing', {}, false],
    ['same instant, new Date object', { startsAt: new Date(base.startsAt.getTime()) }, false],
  ])('%s changed → %s', (_what, patch, bumped) => {
    expect(scheduleChanged(facts, { ...facts, ...patch })).toBe(bumped);
  });
});
