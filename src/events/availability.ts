import type { EventStatus } from './event.entity';
import type { SessionStatus } from './session.entity';

/** Availability rules, as plain functions of a session's stored state and the time. */
export type AvailabilityState = 'open' | 'waitlist' | 'full' | 'closed' | 'cancelled' | 'past';

export interface Availability {
  state: AvailabilityState;
  /** Null when the session is unlimited. */
  seatsRemaining: number | null;
  waitlistLength: number;
}

export interface AvailabilityInput {
  status: SessionStatus;
  eventStatus: EventStatus;
  startsAt: Date;
  endsAt: Date;
  capacity: number | null;
  waitlistEnabled: boolean;
  registrationOpensAt: Date | null;
  registrationClosesAt: Date | null;
  confirmedCount: number;
  waitlistedCount: number;
}

export function seatsRemaining(capacity: number | null, confirmed: number): number | null {
  return capacity === null ? null : Math.max(0, capacity - confirmed);
}

/** Why registration is not possible right now, or null when it is (seats aside). */
export function closedReason(s: AvailabilityInput, now: Date): 'cancelled' | 'past' | 'closed' | null {
  const t = now.getTime();
  if (s.status === 'cancelled' || s.eventStatus === 'cancelled') return 'cancelled';
  if (t >= s.endsAt.getTime()) return 'past';
  if (t >= s.startsAt.getTime()) return 'closed';
  if (s.registrationOpensAt && t < s.registrationOpensAt.getTime()) return 'closed';
  if (s.registrationClosesAt && t >= s.registrationClosesAt.getTime()) return 'closed';
  return null;
}

export function availabilityOf(s: AvailabilityInput, now: Date): Availability {
  const closed = closedReason(s, now);
  // A cancelled session has no seats to offer, whatever its capacity says.
  const remaining = closed === 'cancelled' ? 0 : seatsRemaining(s.capacity, s.confirmedCount);
  const base = { seatsRemaining: remaining, waitlistLength: s.waitlistedCount };
  if (closed) return { state: closed, ...base };
  if (remaining === null || remaining > 0) return { state: 'open', ...base };
  return { state: s.waitlistEnabled ? 'waitlist' : 'full', ...base };
}

const BEST_FIRST: AvailabilityState[] = ['open', 'waitlist', 'full', 'closed', 'past', 'cancelled'];

/** An event's availability: its best session's state, with seats and waitlists summed. */
export function combineAvailability(sessions: Availability[]): Availability {
  if (sessions.length === 0) return { state: 'closed', seatsRemaining: 0, waitlistLength: 0 };
  const state = BEST_FIRST.find((st) => sessions.some((a) => a.state === st)) ?? 'closed';
  const bookable = sessions.filter((a) => a.state === 'open' || a.state === 'waitlist' || a.state === 'full');
  const seats = bookable.some((a) => a.seatsRemaining === null) ? null : bookable.reduce((n, a) => n + (a.seatsRemaining ?? 0), 0);
  return { state, seatsRemaining: seats, waitlistLength: sessions.reduce((n, a) => n + a.waitlistLength, 0) };
}
