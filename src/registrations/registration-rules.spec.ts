import type { AvailabilityInput } from '../events/availability';
import { RegistrationCheck, registrationOutcome, seatOutcome } from './registration-rules';

const NOW = new Date('2027-07-01T12:00:00Z');
const at = (iso: string): Date => new Date(iso);

function session(overrides: Partial<RegistrationCheck> = {}): RegistrationCheck {
  const base: AvailabilityInput = {
    status: 'scheduled',
    eventStatus: 'published',
    startsAt: at('2027-08-01T18:00:00Z'),
    endsAt: at('2027-08-01T20:00:00Z'),
    capacity: 10,
    waitlistEnabled: false,
    registrationOpensAt: null,
    registrationClosesAt: null,
    confirmedCount: 0,
    waitlistedCount: 0,
  };
  return { ...base, alreadyRegistered: false, ...overrides };
}

describe('seatOutcome', () => {
  it.each([
    [null, 0, false, 'confirmed'],
    [null, 1_000_000, false, 'confirmed'],
    [10, 0, false, 'confirmed'],
    [10, 9, false, 'confirmed'],
    [10, 10, false, 'sold-out'],
    [10, 10, true, 'waitlisted'],
    [0, 0, false, 'sold-out'],
    [0, 0, true, 'waitlisted'],
    [1, 0, true, 'confirmed'],
    // Counts above capacity cannot be stored (CHECK constraint), but the rule stays safe.
    [5, 6, false, 'sold-out'],
    [5, 6, true, 'waitlisted'],
  ] as const)('capacity %p, %p confirmed, waitlist %p → %s', (capacity, confirmed, waitlist, expected) => {
    expect(seatOutcome(capacity, confirmed, waitlist)).toBe(expected);
  });
});

describe('registrationOutcome', () => {
  it('gives a seat while one is free', () => {
    expect(registrationOutcome(session({ confirmedCount: 9 }), NOW)).toBe('confirmed');
  });

  it('waitlists a full session with a waitlist, else it is sold out', () => {
    expect(registrationOutcome(session({ confirmedCount: 10, waitlistEnabled: true, waitlistedCount: 3 }), NOW)).toBe('waitlisted');
    expect(registrationOutcome(session({ confirmedCount: 10 }), NOW)).toBe('sold-out');
  });

  it('hides sessions of draft events, before anything else', () => {
    expect(registrationOutcome(session({ eventStatus: 'draft', status: 'cancelled', alreadyRegistered: true }), NOW)).toBe('not-found');
  });

  it('is closed for a cancelled session or a cancelled event', () => {
    expect(registrationOutcome(session({ status: 'cancelled' }), NOW)).toBe('cancelled');
    expect(registrationOutcome(session({ eventStatus: 'cancelled' }), NOW)).toBe('cancelled');
  });

  it('is closed once the session has started, and past once it has ended', () => {
    expect(registrationOutcome(session({ startsAt: at('2027-07-01T12:00:00Z'), endsAt: at('2027-07-01T13:00:00Z') }), NOW)).toBe('closed');
    expect(registrationOutcome(session({ startsAt: at('2027-07-01T10:00:00Z'), endsAt: at('2027-07-01T12:00:00Z') }), NOW)).toBe('past');
  });

  it('is closed outside the registration window, open inside it (opening instant included, closing excluded)', () => {
    expect(registrationOutcome(session({ registrationOpensAt: at('2027-07-01T12:00:01Z') }), NOW)).toBe('closed');
    expect(registrationOutcome(session({ registrationOpensAt: NOW }), NOW)).toBe('confirmed');
    expect(registrationOutcome(session({ registrationClosesAt: NOW }), NOW)).toBe('closed');
    expect(registrationOutcome(session({ registrationClosesAt: at('2027-07-01T12:00:01Z') }), NOW)).toBe('confirmed');
  });

  it('says closed before already-registered, and already-registered before sold-out', () => {
    expect(registrationOutcome(session({ status: 'cancelled', alreadyRegistered: true }), NOW)).toBe('cancelled');
    expect(registrationOutcome(session({ alreadyRegistered: true, confirmedCount: 10 }), NOW)).toBe('already-registered');
    expect(registrationOutcome(session({ alreadyRegistered: true }), NOW)).toBe('already-registered');
  });
});
