import { AvailabilityInput, closedReason } from '../events/availability';

/**
 * What a registration request gets, given the session's state as read under its row lock:
 * a place (confirmed, waitlisted) or why not (cancelled, past and closed are registration-closed).
 */
export type RegistrationOutcome =
  'not-found' | 'cancelled' | 'past' | 'closed' | 'already-registered' | 'sold-out' | 'confirmed' | 'waitlisted';

export interface RegistrationCheck extends AvailabilityInput {
  /** The email already holds a confirmed or waitlisted place in this session. */
  alreadyRegistered: boolean;
}

/**
 * The registration rule, in the order the contract's answers take precedence: sessions of
 * unpublished (draft) events do not exist for the public; a cancelled event cancels its
 * sessions, so it reads as closed, not missing. The registration statement decides under the
 * session's lock with the same rule in SQL (REGISTRATION_OUTCOME_SQL); a spec holds the two equal.
 */
export function registrationOutcome(s: RegistrationCheck, now: Date): RegistrationOutcome {
  if (s.eventStatus === 'draft') return 'not-found';
  const closed = closedReason(s, now);
  if (closed !== null) return closed;
  if (s.alreadyRegistered) return 'already-registered';
  return seatOutcome(s.capacity, s.confirmedCount, s.waitlistEnabled);
}

/** A seat while one is free (or the session is unlimited), else the waitlist when it is on. */
export function seatOutcome(capacity: number | null, confirmed: number, waitlistEnabled: boolean): 'confirmed' | 'waitlisted' | 'sold-out' {
  if (capacity === null || confirmed < capacity) return 'confirmed';
  return waitlistEnabled ? 'waitlisted' : 'sold-out';
}
